#pragma once

#include <QIcon>

namespace hchat::ui {

// The icons HChat draws itself: the desktop's icon theme where it has the icon, else a bundled
// one (resources/icons/*.svg, rasterized at build time, so that they draw on a machine with no
// icon theme, no emoji font and no Qt SVG plugin). Never an emoji code point used as an icon.
class AppIcons {
public:
    static QIcon attach();    // the composer's "send a file" button
    static QIcon encrypted(); // the mark of an end-to-end encrypted channel
    // The bundled icon alone ("attach", "lock"): what a desktop without an icon theme shows.
    static QIcon bundled(const QString &name);
};

} // namespace hchat::ui
