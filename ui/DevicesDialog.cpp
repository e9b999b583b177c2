#include "DevicesDialog.h"

#include "Client.h"
#include "HistoryStore.h"
#include "PlainToolTip.h"
#include "crypto/ChannelCrypto.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hchat::ui {

namespace {
constexpr int kDeviceIdRole = Qt::UserRole + 1;
constexpr int kNickRole = Qt::UserRole + 2;
constexpr int kCurrentRole = Qt::UserRole + 3;
constexpr int kStateRole = Qt::UserRole + 4;

QString when(const QDateTime &t)
{
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat)
                       : DevicesDialog::tr("never");
}
} // namespace

DevicesDialog::DevicesDialog(Client *client, QWidget *parent)
    : QDialog(parent), m_client(client), m_own(new QTreeWidget), m_peers(new QTreeWidget),
      m_revoke(new QPushButton(tr("&Revoke…"))), m_accept(new QPushButton(tr("&Accept key"))),
      m_safety(new QPushButton(tr("&Safety number…"))), m_status(new QLabel)
{
    setObjectName(QStringLiteral("devicesDialog"));
    setWindowTitle(tr("Devices"));
    resize(640, 520);

    m_own->setObjectName(QStringLiteral("ownDevices"));
    m_own->setAccessibleName(tr("Your devices"));
    m_own->setRootIsDecorated(false);
    m_own->setHeaderLabels({tr("Device"), tr("Added"), tr("Last active")});
    m_own->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_revoke->setObjectName(QStringLiteral("revokeDeviceButton"));
    m_revoke->setToolTip(
        tr("Sign the selected device out: its session ends at once and it must sign in again."));

    m_peers->setObjectName(QStringLiteral("peerDevices"));
    m_peers->setAccessibleName(tr("Devices of people in your encrypted channels"));
    m_peers->setHeaderLabels({tr("Person and device"), tr("Trust"), tr("First seen")});
    m_peers->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_accept->setObjectName(QStringLiteral("acceptKeyButton"));
    m_accept->setToolTip(tr("Trust this device's new key. Compare safety numbers first if you can."));
    m_safety->setObjectName(QStringLiteral("safetyNumberButton"));
    m_status->setObjectName(QStringLiteral("devicesStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText); // device names and the gateway's error messages

    auto *ownBox = new QGroupBox(tr("Your devices"));
    auto *ownLayout = new QVBoxLayout(ownBox);
    ownLayout->addWidget(m_own);
    auto *ownButtons = new QHBoxLayout;
    ownButtons->addStretch(1);
    ownButtons->addWidget(m_revoke);
    ownLayout->addLayout(ownButtons);

    auto *peerBox = new QGroupBox(tr("People in your encrypted channels"));
    auto *peerLayout = new QVBoxLayout(peerBox);
    peerLayout->addWidget(m_peers);
    auto *peerButtons = new QHBoxLayout;
    peerButtons->addStretch(1);
    peerButtons->addWidget(m_safety);
    peerButtons->addWidget(m_accept);
    peerLayout->addLayout(peerButtons);

    auto *close = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(ownBox, 1);
    layout->addWidget(peerBox, 1);
    layout->addWidget(m_status);
    layout->addWidget(close);

    connect(m_client, &Client::devicesListed, this, &DevicesDialog::showOwnDevices);
    connect(m_client, &Client::requestFinished, this, [this](quint64 id, bool ok, const QString &error) {
        if (id == m_listRequest && !ok)
            m_status->setText(tr("Could not list your devices: %1").arg(error));
        if (id != m_revokeRequest)
            return;
        m_revokeRequest = 0;
        if (ok)
            refresh();
        else
            m_status->setText(tr("Could not revoke “%1”: %2").arg(m_revokeName, error));
    });
    connect(m_client, &Client::deviceTrustChanged, this, &DevicesDialog::showPeerDevices);
    connect(m_own, &QTreeWidget::itemSelectionChanged, this, &DevicesDialog::updateButtons);
    connect(m_peers, &QTreeWidget::itemSelectionChanged, this, &DevicesDialog::updateButtons);
    connect(m_revoke, &QPushButton::clicked, this, &DevicesDialog::revokeSelected);
    connect(m_accept, &QPushButton::clicked, this, &DevicesDialog::acceptSelected);
    connect(m_safety, &QPushButton::clicked, this, [this] {
        const QTreeWidgetItem *item = m_peers->currentItem();
        if (item)
            emit safetyNumberRequested(item->data(0, kNickRole).toString());
    });
    refresh();
}

QString DevicesDialog::statusText() const
{
    return m_status->text();
}

void DevicesDialog::refresh()
{
    m_status->setText(tr("Asking the gateway for your devices…"));
    m_listRequest = m_client->listDevices();
    showPeerDevices();
}

void DevicesDialog::showOwnDevices(const QList<AccountDevice> &devices)
{
    m_own->clear();
    for (const AccountDevice &d : devices) {
        const QString name = d.name.isEmpty() ? d.deviceId.left(8) : d.name;
        auto *item = new QTreeWidgetItem(m_own, {d.current ? tr("%1 (this device)").arg(name) : name,
                                                 when(d.created), when(d.lastActive)});
        item->setData(0, kDeviceIdRole, d.deviceId);
        item->setData(0, kCurrentRole, d.current);
        item->setToolTip(0, plainToolTip(tr("Device %1").arg(d.deviceId)));
    }
    m_status->setText(tr("%n device(s) signed in to this account.", nullptr, int(devices.size())));
    updateButtons();
}

void DevicesDialog::showPeerDevices()
{
    m_peers->clear();
    if (!m_client->crypto()) {
        m_peers->setEnabled(false);
        updateButtons();
        return;
    }
    m_peers->setEnabled(true);
    QStringList nicks;
    for (const ChannelRecord &c : m_client->channels()) {
        if (!c.encrypted)
            continue;
        for (const QString &n : c.members) {
            if (n.compare(m_client->nick(), Qt::CaseInsensitive) != 0 &&
                !nicks.contains(n, Qt::CaseInsensitive))
                nicks << n;
        }
    }
    nicks.sort(Qt::CaseInsensitive);
    using State = crypto::TrustStore::State;
    for (const QString &nick : nicks) {
        const State overall = m_client->trustState(nick);
        auto *person = new QTreeWidgetItem(m_peers, {nick, crypto::TrustStore::describe(overall), {}});
        person->setData(0, kNickRole, nick);
        const auto devices = m_client->crypto()->trust().devices(nick);
        if (devices.isEmpty())
            person->setText(1, tr("no keys known yet"));
        for (const auto &d : devices) {
            auto *item = new QTreeWidgetItem(person, {tr("device %1").arg(d.deviceId.left(12)),
                                                      crypto::TrustStore::describe(d.state()),
                                                      when(QDateTime::fromMSecsSinceEpoch(d.firstSeenMs))});
            item->setData(0, kNickRole, nick);
            item->setData(0, kDeviceIdRole, d.deviceId);
            item->setData(0, kStateRole, int(d.state()));
            item->setToolTip(0, plainToolTip(d.deviceId));
            if (d.state() == State::Changed || d.state() == State::NewDevice) {
                item->setForeground(1, QColor(0xc6, 0x28, 0x28));
                person->setForeground(1, QColor(0xc6, 0x28, 0x28));
            }
        }
        person->setExpanded(true);
    }
    updateButtons();
}

void DevicesDialog::updateButtons()
{
    const QTreeWidgetItem *own = m_own->currentItem();
    m_revoke->setEnabled(own && own->isSelected() && !own->data(0, kCurrentRole).toBool());
    const QTreeWidgetItem *peer = m_peers->currentItem();
    const auto state = peer ? crypto::TrustStore::State(peer->data(0, kStateRole).toInt())
                            : crypto::TrustStore::State::Unknown;
    m_accept->setEnabled(peer && (state == crypto::TrustStore::State::Changed ||
                                  state == crypto::TrustStore::State::NewDevice));
    m_safety->setEnabled(peer != nullptr);
}

void DevicesDialog::revokeSelected()
{
    const QTreeWidgetItem *item = m_own->currentItem();
    if (!item || item->data(0, kCurrentRole).toBool())
        return;
    const QString deviceId = item->data(0, kDeviceIdRole).toString();
    const QString name = item->text(0);
    QMessageBox box(
        QMessageBox::Question, tr("Revoke device"),
        tr("Sign out “%1”? Its session ends at once; it keeps its local history but must sign in again.")
            .arg(name),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setTextFormat(Qt::PlainText); // the name is the one the device gave itself
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Yes)
        return;
    m_revokeRequest = m_client->revokeDevice(deviceId);
    m_revokeName = name;
    m_status->setText(tr("Revoking “%1”…").arg(name));
}

void DevicesDialog::acceptSelected()
{
    const QTreeWidgetItem *item = m_peers->currentItem();
    if (!item)
        return;
    const QString nick = item->data(0, kNickRole).toString();
    const QString device = item->data(0, kDeviceIdRole).toString();
    if (!m_client->acceptDevice(nick, device))
        m_status->setText(tr("Could not accept the key of %1.").arg(nick));
    showPeerDevices();
}

} // namespace hchat::ui
