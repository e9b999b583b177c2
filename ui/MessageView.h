#pragma once

#include <QListView>

namespace hchat::ui {

class MessageDelegate;
class MessageListModel;

// The message list: a QListView over MessageListModel with MessageDelegate. Loads older pages when
// scrolled to the top (keeping what is on screen in place), follows new messages while the user
// is at the bottom, and reports when the newest message has been seen so it can be marked read.
class MessageView : public QListView {
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);

    void setMessageModel(MessageListModel *model);
    MessageListModel *messageModel() const { return m_model; }
    MessageDelegate *messageDelegate() const { return m_delegate; }
    // After the model switched channel: scroll so the anchor (first unread, else newest) is shown.
    void scrollToAnchor();
    void scrollToRow(int row);
    bool isAtBottom() const;

signals:
    // Rows up to this seq are on screen at the bottom: the channel can be marked read up to it.
    void seenUpTo(quint64 seq);
    void firstPaintAfterReset();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void onScrolled(int value);
    void reportSeen();

    MessageListModel *m_model = nullptr;
    MessageDelegate *m_delegate;
    bool m_followTail = true;
    bool m_awaitingFirstPaint = false;
    int m_heightBeforePrepend = -1;
};

} // namespace hchat::ui
