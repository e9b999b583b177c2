#pragma once
// Helpers shared by the UI suites: showing the window on a channel, finding rows in the message
// view's model.

#include "MainWindow.h"
#include "MessageListModel.h"

#include <QAbstractItemModel>
#include <QtTest>

namespace hchat::test {

// Shows the window and, once it is on screen, opens channel in it; false if it never showed.
inline bool showOnChannel(hchat::ui::MainWindow &window, const QString &channel)
{
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return false;
    window.openChannel(channel);
    return true;
}

// The row of the stored message seq, or -1.
inline int rowOfSeq(const QAbstractItemModel *model, quint64 seq)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, 0).data(hchat::ui::MessageListModel::SeqRole).toULongLong() == seq)
            return row;
    return -1;
}

// The row whose shown text is text, or -1.
inline int rowOfText(const QAbstractItemModel *model, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, 0).data(hchat::ui::MessageListModel::TextRole).toString() == text)
            return row;
    return -1;
}

} // namespace hchat::test
