#include "MainWindow.h"

namespace hchat::ui {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("HChat"));
    resize(960, 640);
}

} // namespace hchat::ui
