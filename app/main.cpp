#include "MainWindow.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    hchat::ui::MainWindow window;
    window.show();
    return app.exec();
}
