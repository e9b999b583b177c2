#include "TransferPanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace hchat::ui {

TransferPanel::TransferPanel(AttachmentTransfers *transfers, QWidget *parent)
    : QWidget(parent), m_transfers(transfers), m_layout(new QVBoxLayout(this))
{
    setObjectName(QStringLiteral("transferPanel"));
    m_layout->setContentsMargins(0, 2, 0, 2);
    m_layout->setSpacing(2);
    hide();
    connect(transfers, &AttachmentTransfers::transferStarted, this, &TransferPanel::onStarted);
    connect(transfers, &AttachmentTransfers::transferProgress, this, &TransferPanel::onProgress);
    connect(transfers, &AttachmentTransfers::transferFinished, this, &TransferPanel::onFinished);
    for (const auto &t : transfers->transfers())
        onStarted(t);
}

QProgressBar *TransferPanel::progressBar(const TransferId &id) const
{
    const auto it = m_rows.find(id);
    return it == m_rows.end() ? nullptr : it->bar;
}

void TransferPanel::onStarted(const AttachmentTransfers::Transfer &t)
{
    const TransferId id = t.id;
    if (m_rows.contains(id))
        removeRow(id);
    Row row;
    row.name = t.name;
    row.widget = new QWidget(this);
    auto *line = new QHBoxLayout(row.widget);
    line->setContentsMargins(0, 0, 0, 0);
    row.label = new QLabel(id.isUpload() ? tr("Sending %1").arg(t.name) : tr("Downloading %1").arg(t.name),
                           row.widget);
    row.label->setTextFormat(Qt::PlainText);
    row.bar = new QProgressBar(row.widget);
    row.bar->setObjectName(QStringLiteral("transferProgress"));
    row.bar->setAccessibleName(row.label->text());
    row.bar->setRange(0, 0); // busy until the size is known (an upload is being prepared)
    row.bar->setMaximumHeight(row.label->sizeHint().height());
    if (t.total > 0) {
        row.bar->setRange(0, 1000);
        row.bar->setValue(int(t.done * 1000 / t.total));
    }
    row.button = new QToolButton(row.widget);
    row.button->setText(tr("Cancel"));
    row.button->setAutoRaise(true);
    connect(row.button, &QToolButton::clicked, this, [this, id] { cancel(id); });
    line->addWidget(row.label, 1);
    line->addWidget(row.bar, 2);
    line->addWidget(row.button);
    m_layout->addWidget(row.widget);
    m_rows.insert(id, row);
    show();
    emit rowCountChanged(rowCount());
}

void TransferPanel::onProgress(const TransferId &id, qint64 done, qint64 total)
{
    const auto it = m_rows.find(id);
    if (it == m_rows.end() || total <= 0)
        return;
    it->bar->setRange(0, 1000);
    it->bar->setValue(int(std::min(done, total) * 1000 / total));
    it->bar->setFormat(QStringLiteral("%1 / %2").arg(QLocale().formattedDataSize(done, 1),
                                                     QLocale().formattedDataSize(total, 1)));
}

void TransferPanel::onFinished(const TransferId &id, bool ok, const QString &error)
{
    const auto it = m_rows.find(id);
    if (it == m_rows.end())
        return;
    if (ok || error == AttachmentTransfers::tr("Cancelled.")) {
        removeRow(id);
        return;
    }
    it->label->setText(id.isUpload() ? tr("%1 was not sent: %2").arg(it->name, error)
                                     : tr("%1 could not be downloaded: %2").arg(it->name, error));
    it->label->setWordWrap(true);
    it->bar->hide();
    it->button->setText(tr("Dismiss"));
}

void TransferPanel::cancel(const TransferId &id)
{
    const bool running =
        id.isUpload() ? m_transfers->cancelUpload(id.uploadId) : m_transfers->cancelDownload(id.attachmentId);
    if (!running)
        removeRow(id); // already over: the button dismissed an error
}

void TransferPanel::removeRow(const TransferId &id)
{
    const Row row = m_rows.take(id);
    if (row.widget)
        row.widget->deleteLater();
    setVisible(!m_rows.isEmpty());
    emit rowCountChanged(rowCount());
}

} // namespace hchat::ui
