#include "AppIcons.h"

namespace hchat::ui {

QIcon AppIcons::bundled(const QString &name)
{
    QIcon icon;
    for (const int size : {16, 24, 32, 48, 64})
        icon.addFile(QStringLiteral(":/hchat/icons/%1-%2.png").arg(name).arg(size), QSize(size, size));
    return icon;
}

QIcon AppIcons::attach()
{
    return QIcon::fromTheme(QStringLiteral("mail-attachment"), bundled(QStringLiteral("attach")));
}

QIcon AppIcons::encrypted()
{
    return QIcon::fromTheme(QStringLiteral("channel-secure-symbolic"), bundled(QStringLiteral("lock")));
}

} // namespace hchat::ui
