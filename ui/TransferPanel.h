#pragma once

#include "AttachmentTransfers.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;
class QVBoxLayout;

namespace hchat::ui {

// The files on their way, above the composer: one line per upload or download with its name, a
// progress bar and a cancel button. Finished transfers disappear; failed ones stay with their
// error until dismissed. Hidden while there is nothing to show.
class TransferPanel : public QWidget {
    Q_OBJECT
public:
    explicit TransferPanel(AttachmentTransfers *transfers, QWidget *parent = nullptr);

    // For tests: the progress bar of a transfer (nullptr when it is not shown).
    QProgressBar *progressBar(const TransferId &id) const;
    int rowCount() const { return int(m_rows.size()); }

signals:
    void rowCountChanged(int rows);

private:
    struct Row {
        QWidget *widget = nullptr;
        QLabel *label = nullptr;
        QProgressBar *bar = nullptr;
        QToolButton *button = nullptr;
        QString name;
    };
    void onStarted(const hchat::AttachmentTransfers::Transfer &t);
    void onProgress(const hchat::TransferId &id, qint64 done, qint64 total);
    void onFinished(const hchat::TransferId &id, bool ok, const QString &error);
    void cancel(const TransferId &id);
    void removeRow(const TransferId &id);

    AttachmentTransfers *m_transfers;
    QVBoxLayout *m_layout;
    QHash<TransferId, Row> m_rows;
};

} // namespace hchat::ui
