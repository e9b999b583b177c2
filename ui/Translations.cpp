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
        out << file.mid(6, file.size() - 6 - 3);
    return out;
}

QString Translations::install(const QString &language)
{
    drop(appTranslator());
    drop(qtTranslator());
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *app = new QTranslator;
    // QTranslator::load(locale, …) tries zh_CN, zh-Hans-CN, zh, … in the locale's order.
    if (!app->load(locale, QStringLiteral("hchat"), QStringLiteral("_"), kPrefix)) {
        delete app;
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
