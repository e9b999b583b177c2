#pragma once

#include <QMainWindow>

namespace hchat::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace hchat::ui
