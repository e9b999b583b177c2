#pragma once
// Helpers shared by the UI suites that look rows up in the message view's model.

#include "MessageListModel.h"

#include <QAbstractItemModel>

namespace hchat::test {

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
