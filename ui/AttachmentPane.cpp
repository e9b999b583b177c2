#include "AttachmentPane.h"

#include "AttachmentPreview.h"
#include "Client.h"
#include "HistoryStore.h"
#include "TransferPanel.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QUrl>
#include <QVBoxLayout>

namespace hchat::ui {

AttachmentPane::AttachmentPane(Client *client, QWidget *parent)
    : QWidget(parent), m_client(client), m_transferPanel(new TransferPanel(client->transfers()))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_transferPanel);
    // Hidden with the panel, so that the column keeps no gap for it.
    setVisible(m_transferPanel->rowCount() > 0);
    connect(m_transferPanel, &TransferPanel::rowCountChanged, this,
            [this](int rows) { setVisible(rows > 0); });
    connect(client->transfers(), &AttachmentTransfers::downloadFinished, this,
            &AttachmentPane::onDownloadFinished);
}

QStringList AttachmentPane::chooseFiles()
{
    return QFileDialog::getOpenFileNames(this, tr("Send files to %1").arg(m_channel),
                                         QStandardPaths::writableLocation(QStandardPaths::PicturesLocation));
}

void AttachmentPane::sendFiles(const QStringList &paths, quint64 replyTo)
{
    for (const QString &path : paths) {
        QString error;
        if (m_client->sendAttachment(m_channel, path, {}, AttachmentPreview::forFile(path), replyTo,
                                     &error) == 0)
            emit statusMessage(tr("%1 was not sent: %2").arg(QFileInfo(path).fileName(), error), 15000);
    }
}

void AttachmentPane::openAttachment(quint64 seq)
{
    const QString path = m_client->attachmentFile(m_channel, seq);
    if (!path.isEmpty()) {
        openFile(path);
        return;
    }
    const auto m = m_client->store()->message(m_channel, seq);
    QString error;
    if (!m || !m_client->downloadAttachment(m_channel, seq, &error)) {
        emit statusMessage(error, 10000);
        return;
    }
    m_afterDownload.insert(m->attachmentId, QString());
    emit downloadStarted(m->attachmentId);
}

void AttachmentPane::saveAttachment(quint64 seq)
{
    const auto m = m_client->store()->message(m_channel, seq);
    const auto info = m ? AttachmentInfo::parse(m->attachment) : std::nullopt;
    if (!info)
        return;
    const QString target =
        QFileDialog::getSaveFileName(this, tr("Save attachment"),
                                     QDir(QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
                                         .filePath(AttachmentInfo::safeFileName(info->name)));
    if (target.isEmpty())
        return;
    const QString path = m_client->attachmentFile(m_channel, seq);
    if (!path.isEmpty()) {
        QFile::remove(target);
        if (!QFile::copy(path, target))
            emit statusMessage(tr("Could not save %1.").arg(target), 10000);
        return;
    }
    QString error;
    if (!m_client->downloadAttachment(m_channel, seq, &error)) {
        emit statusMessage(error, 10000);
        return;
    }
    m_afterDownload.insert(info->id, target);
}

void AttachmentPane::onDownloadFinished(const QString &attachmentId, bool ok, const QString &error)
{
    const auto it = m_afterDownload.find(attachmentId);
    if (it == m_afterDownload.end())
        return;
    const QString saveTo = it.value();
    m_afterDownload.erase(it);
    const QString path = m_client->transfers()->localFile(attachmentId);
    if (!ok || path.isEmpty()) {
        emit statusMessage(error, 10000);
    } else if (saveTo.isEmpty()) {
        openFile(path);
    } else {
        QFile::remove(saveTo);
        if (!QFile::copy(path, saveTo))
            emit statusMessage(tr("Could not save %1.").arg(saveTo), 10000);
    }
}

// Hands the file to the desktop; a file that opening may run (a program, a script, a desktop
// entry) only after the user said so: any member can send one.
void AttachmentPane::openFile(const QString &path)
{
    if (!AttachmentInfo::mayRunWhenOpened(path)) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(path));
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Open a program?"),
        tr("“%1” is a program or a script: opening it may run it on this computer, with access to your "
           "files. Open it only if you trust its sender and expected this file.")
            .arg(QFileInfo(path).fileName()),
        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("confirmOpenRunnable"));
    box->setTextFormat(Qt::PlainText); // the file name is the sender's
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *open = box->addButton(tr("Open anyway"), QMessageBox::AcceptRole);
    open->setObjectName(QStringLiteral("confirmOpenRunnableButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [path, open](QAbstractButton *button) {
        if (button == open)
            QDesktopServices::openUrl(QUrl::fromLocalFile(path));
    });
    box->open();
}

} // namespace hchat::ui
