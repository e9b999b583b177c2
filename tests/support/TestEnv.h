#pragma once

#include <QDir>
#include <QString>
#include <QTemporaryDir>

namespace hchat::test {

// Scratch space for a test: under the build tree's tests/tmp (set by CTest), else the system temp.
inline QString scratchRoot()
{
    const QString root = qEnvironmentVariable("HCHAT_TEST_TMP", QDir::tempPath());
    QDir().mkpath(root);
    return root;
}

inline bool isCi()
{
    return qEnvironmentVariable("CI") == QLatin1String("true");
}

} // namespace hchat::test
