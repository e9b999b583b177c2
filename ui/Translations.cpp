#include "Translations.h"

#include "UiLogging.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace hchat::ui {

namespace {
const QString kPrefix = QStringLiteral(":/i18n/");

QTranslator *&appTranslator()
{
    static QTranslator *t = nullptr;
    return t;
}
QTranslator *&qtTranslator()
{
    static QTranslator *t = nullptr;
    return t;
}

void drop(QTranslator *&t)
{
    if (!t)
        return;
    QCoreApplication::removeTranslator(t);
    delete t;
    t = nullptr;
}
} // namespace

QStringList Translations::available()
{
    QStringList out;
    for (const QString &file : QDir(kPrefix).entryList({QStringLiteral("hchat_*.qm")}))
        if (const QString language = file.mid(6, file.size() - 6 - 3); language != QLatin1String("en"))
            out << language; // the English catalogue holds only plural forms
    return out;
}

QString Translations::install(const QString &language)
{
    drop(appTranslator());
    drop(qtTranslator());
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *app = new QTranslator;
    // QTranslator::load(locale, …) tries zh_CN, zh-Hans-CN, zh, … in the locale's order. English,
    // and a language HChat does not speak, get the English catalogue: the source texts are
    // English, it holds only their plural forms ("1 new message", "12 new messages").
    if (!app->load(locale, QStringLiteral("hchat"), QStringLiteral("_"), kPrefix)) {
        if (!app->load(QStringLiteral("hchat_en"), kPrefix)) {
            delete app;
            return QStringLiteral("en");
        }
        QCoreApplication::installTranslator(app);
        appTranslator() = app;
        return QStringLiteral("en");
    }
    QCoreApplication::installTranslator(app);
    appTranslator() = app;
    auto *qt = new QTranslator;
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt);
        qtTranslator() = qt;
    } else {
        qCDebug(lcUi) << "no Qt translation for" << locale.name();
        delete qt;
    }
    return app->language().isEmpty() ? locale.name() : app->language();
}

} // namespace hchat::ui
