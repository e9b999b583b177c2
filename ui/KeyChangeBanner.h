#pragma once

#include <QFrame>
#include <QList>
#include <QPair>

class QLabel;
class QPushButton;

namespace hchat::ui {

// A loud warning above the messages when a contact's device key changed or a new device appeared
// (TrustStore Changed / NewDevice). Key shares to that device stay blocked until the user accepts
// it here (Accept → accepted(nick, device)); "Safety number…" opens the comparison first.
// Several warnings queue; the banner hides when none is left.
class KeyChangeBanner : public QFrame {
    Q_OBJECT
public:
    explicit KeyChangeBanner(QWidget *parent = nullptr);

    void addWarning(const QString &nick, const QString &deviceId, bool newDevice);
    void removeWarning(const QString &nick, const QString &deviceId);
    int warningCount() const { return int(m_pending.size()); }
    QString text() const;
    QPushButton *acceptButton() const { return m_accept; }

signals:
    void accepted(const QString &nick, const QString &deviceId);
    void safetyNumberRequested(const QString &nick);

private:
    struct Warning {
        QString nick;
        QString deviceId;
        bool newDevice = false;
    };
    void showFirst();

    QLabel *m_label;
    QPushButton *m_accept;
    QPushButton *m_compare;
    QList<Warning> m_pending;
};

} // namespace hchat::ui
