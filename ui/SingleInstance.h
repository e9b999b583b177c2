#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace hchat::ui {

// One running hchat per user and profile. The first instance listens on a local socket named after
// the user and the profile folder; a second one connects, passes its activation token (the
// launcher's XDG_ACTIVATION_TOKEN on Wayland, DESKTOP_STARTUP_ID on X11) and exits, and the first
// raises its window with that token, which is what lets a compositor give it focus.
class SingleInstance : public QObject {
    Q_OBJECT
public:
    explicit SingleInstance(const QString &profileDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    // True: this is the first instance and now listens. False: another instance runs and has been
    // asked to raise itself (or the socket could not be set up: error() says why).
    bool claim();
    QString serverName() const { return m_name; }
    QString error() const { return m_error; }

    static QString serverNameFor(const QString &profileDir);

signals:
    // Another start of hchat asked this one to show itself.
    void activationRequested(const QString &activationToken);

private:
    void onNewConnection();

    QString m_name;
    QString m_error;
    QLocalServer *m_server = nullptr;
};

} // namespace hchat::ui
