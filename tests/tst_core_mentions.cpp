// @mentions: what counts as one (also in sentences and next to punctuation), what does not (mail
// addresses), and the prefix being typed that completion works on.
#include "Mentions.h"

#include <QtTest>

using hchat::Mentions;

class CoreMentions : public QObject {
    Q_OBJECT
private slots:
    void findsMentionsInText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("nicks");
        QTest::newRow("start") << "@alice hi" << QStringList{"alice"};
        QTest::newRow("middle and end of sentence") << "thanks @bob. and @carol_2!" << QStringList{"bob", "carol_2"};
        QTest::newRow("once each, first spelling") << "@Bob @bob @BOB" << QStringList{"Bob"};
        QTest::newRow("mail address is not a mention") << "write to a@example.org" << QStringList{};
        QTest::newRow("lone at") << "meet @ 5" << QStringList{};
        QTest::newRow("after CJK text") << "你好@dave" << QStringList{"dave"};
        QTest::newRow("in parentheses") << "(@eve)" << QStringList{"eve"};
        QTest::newRow("too long") << "@" + QString(33, QLatin1Char('x')) << QStringList{};
    }
    void findsMentionsInText()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, nicks);
        QCOMPARE(Mentions::inText(text), nicks);
    }

    void mentionsIsCaseInsensitiveAndWholeNick()
    {
        QVERIFY(Mentions::mentions(QStringLiteral("hey @Alice, look"), QStringLiteral("alice")));
        QVERIFY(!Mentions::mentions(QStringLiteral("hey @alicex"), QStringLiteral("alice")));
        QVERIFY(!Mentions::mentions(QStringLiteral("hey alice"), QStringLiteral("alice")));
        QVERIFY(!Mentions::mentions(QStringLiteral("@alice"), QString()));
    }

    void typedAtFindsThePrefixBeforeTheCursor()
    {
        QString prefix;
        int start = -1;
        QVERIFY(Mentions::typedAt(QStringLiteral("hi @al"), 6, &prefix, &start));
        QCOMPARE(prefix, QStringLiteral("al"));
        QCOMPARE(start, 3);
        QVERIFY(Mentions::typedAt(QStringLiteral("hi @"), 4, &prefix, &start));
        QCOMPARE(prefix, QString());
        QVERIFY(!Mentions::typedAt(QStringLiteral("hi @al there"), 12));
        QVERIFY(!Mentions::typedAt(QStringLiteral("mail a@b"), 8));
        QVERIFY(!Mentions::typedAt(QString(), 0));
        QVERIFY(Mentions::typedAt(QStringLiteral("@x"), 99)); // a position past the end is the end
    }
};

QTEST_APPLESS_MAIN(CoreMentions)
#include "tst_core_mentions.moc"
