<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>HistoryKeyring</name>
    <message>
        <location filename="../core/HistoryKeyring.cpp" line="+17"/>
        <source>No OS keychain is available (%1), so the local history is kept unencrypted.</source>
        <translation>没有可用的系统钥匙串（%1），因此本地历史记录以未加密方式保存。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The OS keychain did not give the key of the local history (%1), so it is kept unencrypted.</source>
        <translation>系统钥匙串没有提供本地历史记录的密钥（%1），因此历史记录以未加密方式保存。</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../app/main.cpp" line="+168"/>
        <source>HChat cannot open its local history in %1:
%2

The file was left untouched. Move it away or start with --profile to use another folder.</source>
        <translation>HChat 无法打开位于 %1 的本地历史记录：
%2

该文件未被改动。请将其移走，或使用 --profile 启动以使用其他文件夹。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>HChat</source>
        <translation>HChat</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Not signed in. Use Chat → Sign out to sign in again.</source>
        <translation>未登录。请使用“聊天 → 退出登录”重新登录。</translation>
    </message>
</context>
<context>
    <name>hchat::AccountSession</name>
    <message>
        <location filename="../core/AccountSession.cpp" line="+112"/>
        <source>This gateway needs a valid invite code to register (ask its administrator for one): %1</source>
        <translation>此网关需要有效的邀请码才能注册（请向其管理员索取）：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This gateway does not take new accounts: its administrator creates them. %1</source>
        <translation>此网关不开放注册：账号由其管理员创建。%1</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The gateway&apos;s answer did not parse.</source>
        <translation>无法解析网关的响应。</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>The gateway did not accept the session (%1). Please sign in again.</source>
        <translation>网关未接受此会话（%1）。请重新登录。</translation>
    </message>
    <message>
        <location line="+38"/>
        <location line="+43"/>
        <location line="+42"/>
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <location line="-78"/>
        <source>The gateway&apos;s device list did not parse.</source>
        <translation>无法解析网关返回的设备列表。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>The new password must be 8 to 256 bytes long.</source>
        <translation>新密码长度须为 8 到 256 字节。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The current password is wrong.</source>
        <translation>当前密码错误。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>The password is wrong.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Your account was deleted.</source>
        <translation>你的账号已删除。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You were signed out on every device.</source>
        <translation>你已在所有设备上退出登录。</translation>
    </message>
</context>
<context>
    <name>hchat::AttachmentTransfers</name>
    <message>
        <location filename="../core/AttachmentTransfers.cpp" line="+215"/>
        <source>%1 is not a file.</source>
        <translation>%1 不是文件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 cannot be read.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is empty.</source>
        <translation>%1 是空文件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No place to prepare the file.</source>
        <translation>没有可用于准备文件的位置。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The preview image is too large.</source>
        <translation>预览图太大。</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+134"/>
        <location line="+36"/>
        <source>Could not save the upload: %1</source>
        <translation>无法保存上传任务：%1</translation>
    </message>
    <message>
        <location line="-151"/>
        <location line="+368"/>
        <location line="+1"/>
        <location filename="../ui/TransferPanel.cpp" line="+82"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location line="-223"/>
        <location line="+125"/>
        <source>The gateway&apos;s answer to an upload was not understood.</source>
        <translation>无法理解网关对上传的回应。</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>The gateway&apos;s upload does not match the file.</source>
        <translation>网关上的上传与该文件不符。</translation>
    </message>
    <message>
        <location line="+18"/>
        <location line="+5"/>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>unreadable answer</source>
        <translation>无法解析的回应</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>The message has no attachment.</source>
        <translation>该消息没有附件。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The attachment cannot be opened before its message is decrypted.</source>
        <translation>消息解密之前无法打开附件。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>The attachment&apos;s description is damaged.</source>
        <translation>附件的描述已损坏。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+124"/>
        <source>No place to store the file.</source>
        <translation>没有可用于保存文件的位置。</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>The attachment is no longer available.</source>
        <translation>该附件已不可用。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The gateway sent the attachment wrongly.</source>
        <translation>网关发送的附件有误。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The attachment does not match what its sender sent.</source>
        <translation>该附件与发送者发送的内容不符。</translation>
    </message>
</context>
<context>
    <name>hchat::ChannelActions</name>
    <message>
        <location filename="../core/ChannelActions.cpp" line="+34"/>
        <source>End-to-end encryption is not ready on this device yet.</source>
        <translation>此设备上的端到端加密尚未就绪。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Could not join.</source>
        <translation>无法加入频道。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Could not leave.</source>
        <translation>无法退出频道。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Could not create the channel.</source>
        <translation>无法创建频道。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Could not open the direct channel.</source>
        <translation>无法打开私信。</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>There is no invitation to %1.</source>
        <translation>没有加入 %1 的邀请。</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Could not invite.</source>
        <translation>无法邀请。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Could not remove the member.</source>
        <translation>无法移除该成员。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Could not remove %1.</source>
        <translation>无法移除 %1。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not ban %1.</source>
        <translation>无法封禁 %1。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Could not lift the ban on %1.</source>
        <translation>无法解除对 %1 的封禁。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not delete the message.</source>
        <translation>无法删除该消息。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not set the topic.</source>
        <translation>无法设置主题。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not change who may write in %1.</source>
        <translation>无法更改 %1 中谁可以发言。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Could not hand ownership on to %1.</source>
        <translation>无法将所有权移交给 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not change the role of %1.</source>
        <translation>无法更改 %1 的角色。</translation>
    </message>
</context>
<context>
    <name>hchat::CleartextPolicy</name>
    <message>
        <location filename="../core/CleartextPolicy.cpp" line="+35"/>
        <source>Not connecting to %1 without encryption: your password and messages would cross the network in the clear. Use https:// or allow this gateway when signing in.</source>
        <translation>不会以未加密方式连接到 %1：你的密码和消息将以明文经过网络。请使用 https://，或在登录时允许此网关。</translation>
    </message>
</context>
<context>
    <name>hchat::Client</name>
    <message>
        <location filename="../core/Client.cpp" line="+329"/>
        <source>Not signed in.</source>
        <translation>未登录。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No device given.</source>
        <translation>未指定设备。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This device signs out with Sign out, not by revoking itself.</source>
        <translation>本设备请通过“退出登录”登出，不能注销自身。</translation>
    </message>
    <message>
        <location line="+124"/>
        <source>No message %1 in %2.</source>
        <translation>%2 中没有消息 %1。</translation>
    </message>
</context>
<context>
    <name>hchat::CommunityRequests</name>
    <message>
        <location filename="../core/CommunityRequests.cpp" line="+41"/>
        <source>The gateway&apos;s channel directory did not parse.</source>
        <translation>无法解析网关返回的频道目录。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The gateway&apos;s member list did not parse.</source>
        <translation>无法解析网关返回的成员列表。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>The gateway&apos;s answer did not parse.</source>
        <translation>无法解析网关的响应。</translation>
    </message>
</context>
<context>
    <name>hchat::DeviceApproval</name>
    <message>
        <location filename="../core/DeviceApproval.cpp" line="+92"/>
        <source>This device is not approved itself yet, so it cannot approve others.</source>
        <translation>本设备自身尚未获得批准，因此无法批准其他设备。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No device %1 is waiting for approval.</source>
        <translation>没有正在等待批准的设备 %1。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The code does not match that device&apos;s code; it was not approved.</source>
        <translation>该验证码与那台设备的验证码不符；未批准该设备。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Could not publish the device list: %1</source>
        <translation>无法发布设备列表：%1</translation>
    </message>
</context>
<context>
    <name>hchat::E2eeCoordinator</name>
    <message>
        <location filename="../core/E2eeCoordinator.cpp" line="+129"/>
        <source>Could not create a device identity.</source>
        <translation>无法创建设备身份。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>End-to-end encryption could not start: %1</source>
        <translation>端到端加密无法启动：%1</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Could not publish this device&apos;s keys: %1</source>
        <translation>无法发布此设备的密钥：%1</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+36"/>
        <source>Encryption is not ready.</source>
        <translation>加密尚未就绪。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The key directory&apos;s answer did not parse.</source>
        <translation>无法解析密钥目录的响应。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>End-to-end encryption is not ready on this device yet.</source>
        <translation>此设备上的端到端加密尚未就绪。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The keys of %1 changed since this number was shown: compare the new number.</source>
        <translation>显示此安全码后，%1 的密钥已更改：请比对新的安全码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No trusted device of %1 to mark as verified.</source>
        <translation>%1 没有可标记为已验证的受信任设备。</translation>
    </message>
</context>
<context>
    <name>hchat::GatewayHttp</name>
    <message>
        <location filename="../core/GatewayHttp.cpp" line="+88"/>
        <source>The gateway&apos;s answer to %1 was too large.</source>
        <translation>网关对 %1 的响应过大。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The gateway is unreachable: %1</source>
        <translation>无法连接到网关：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The gateway answered %1 with HTTP %2.</source>
        <translation>网关对 %1 返回了 HTTP %2。</translation>
    </message>
</context>
<context>
    <name>hchat::GatewayRequests</name>
    <message>
        <location filename="../core/GatewayRequests.cpp" line="+23"/>
        <source>No gateway address is configured.</source>
        <translation>未配置网关地址。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Not connected to the gateway.</source>
        <translation>未连接到网关。</translation>
    </message>
</context>
<context>
    <name>hchat::HistoryKeyring</name>
    <message>
        <location filename="../core/HistoryKeyring.cpp" line="+38"/>
        <source>The key of the local history in the OS keychain is not 32 bytes long.</source>
        <translation>系统钥匙串中本地历史记录的密钥长度不是 32 字节。</translation>
    </message>
</context>
<context>
    <name>hchat::HistoryStore</name>
    <message>
        <location filename="../core/HistoryDb.cpp" line="+86"/>
        <source>Cannot create the folder %1 for the history database.</source>
        <translation>无法为历史数据库创建文件夹 %1。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The history database %1 is not writable.</source>
        <translation>历史数据库 %1 不可写。</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Cannot open the history database %1: %2</source>
        <translation>无法打开历史数据库 %1：%2</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>The history database %1 is encrypted, and its key is not available: the OS keychain that keeps it cannot be reached. It was left as it is.</source>
        <translation>历史数据库 %1 已加密，但其密钥不可用：无法访问保存该密钥的系统钥匙串。该文件已保持原样。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot set up the encryption of the history database.</source>
        <translation>无法设置历史数据库的加密。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Encrypting the history database %1 failed: %2. It was left as it is.</source>
        <translation>加密历史数据库 %1 失败：%2。该文件已保持原样。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>The history database %1 cannot be decrypted with the key kept in the OS keychain (%2). It was left as it is; move it away to start a fresh history.</source>
        <translation>无法用系统钥匙串中保存的密钥解密历史数据库 %1（%2）。该文件已保持原样；将其移走即可开始新的历史记录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The history database %1 is damaged or not an HChat database (%2). It was left as it is; move it away to start a fresh history.</source>
        <translation>历史数据库 %1 已损坏或不是 HChat 数据库（%2）。该文件已保持原样；将其移走即可开始新的历史记录。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The history database %1 is damaged: %2</source>
        <translation>历史数据库 %1 已损坏：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The history database %1 was written by a newer version of HChat (schema %2; this version knows up to %3). It was left as it is; update HChat to open it.</source>
        <translation>历史数据库 %1 由更新版本的 HChat 写入（架构版本 %2；此版本最高支持 %3）。该文件已保持原样；请更新 HChat 后再打开。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The history database %1 cannot be used: %2</source>
        <translation>无法使用历史数据库 %1：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Upgrading the history database %1 failed: %2</source>
        <translation>升级历史数据库 %1 失败：%2</translation>
    </message>
    <message>
        <location line="+161"/>
        <source>cannot prepare a statement: %1</source>
        <translation>无法准备语句：%1</translation>
    </message>
    <message>
        <location filename="../core/MessageTable.cpp" line="+123"/>
        <source>cannot begin a transaction: %1</source>
        <translation>无法开始事务：%1</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>a message of stream &quot;%1&quot; in a batch for &quot;%2&quot;</source>
        <translation>“%2”的批次中含有流“%1”的消息</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a message without seq in &quot;%1&quot;</source>
        <translation>“%1”中有一条消息缺少 seq</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>hole in &quot;%1&quot;: expected seq %2, got %3</source>
        <translation>“%1”中存在缺口：预期 seq 为 %2，实际为 %3</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>commit failed: %1</source>
        <translation>提交失败：%1</translation>
    </message>
    <message>
        <location filename="../core/HistoryDb.cpp" line="+82"/>
        <source>the history&apos;s write-ahead log could not be checkpointed completely</source>
        <translation>历史记录的预写日志未能完整写入检查点</translation>
    </message>
    <message>
        <location filename="../core/MessageTable.cpp" line="+93"/>
        <location line="+24"/>
        <source>no message %1 in &quot;%2&quot;</source>
        <translation>“%2”中没有消息 %1</translation>
    </message>
</context>
<context>
    <name>hchat::InboundCrypto</name>
    <message>
        <location filename="../core/InboundCrypto.cpp" line="+214"/>
        <source>sent without encryption in an end-to-end encrypted channel, so not by a member (it claims to be from %1)</source>
        <translation>在端到端加密频道中以未加密方式发送，因此并非来自成员（其自称来自 %1）</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The attachment&apos;s description is damaged.</source>
        <translation>附件的描述已损坏。</translation>
    </message>
</context>
<context>
    <name>hchat::KeychainTokenVault</name>
    <message>
        <location filename="../core/KeychainTokenVault.cpp" line="+13"/>
        <source>No OS keychain is available (%1); the session token cannot be kept, so you will have to sign in each time.</source>
        <translation>系统钥匙串不可用（%1）；无法保存会话令牌，因此每次都需要重新登录。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Access to the OS keychain was denied: %1</source>
        <translation>访问系统钥匙串被拒绝：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OS keychain error: %1</source>
        <translation>系统钥匙串错误：%1</translation>
    </message>
</context>
<context>
    <name>hchat::Outbox</name>
    <message>
        <location filename="../core/Outbox.cpp" line="+36"/>
        <source>You are not a member of this channel.</source>
        <translation>你不是此频道的成员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The message is too large.</source>
        <translation>消息过大。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The channel does not exist.</source>
        <translation>频道不存在。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You may not write in this channel.</source>
        <translation>你无权在此频道发言。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The gateway refused the message.</source>
        <translation>网关拒绝了此消息。</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>No channel given.</source>
        <translation>未指定频道。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No message given to change.</source>
        <translation>未指定要更改的消息。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The message is empty.</source>
        <translation>消息为空。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The message is too large (%1 bytes; at most %2).</source>
        <translation>消息过大（%1 字节；最多 %2 字节）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No attachment given.</source>
        <translation>未指定附件。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Could not save the message: %1</source>
        <translation>无法保存消息：%1</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Not sent: %1 is end-to-end encrypted now. Send it again.</source>
        <translation>未发送：%1 现已启用端到端加密。请重新发送。</translation>
    </message>
</context>
<context>
    <name>hchat::PushChannel</name>
    <message>
        <location filename="../core/PushChannel.cpp" line="+43"/>
        <source>The gateway at %1 did not answer the handshake within %2 s.</source>
        <translation>位于 %1 的网关未在 %2 秒内响应握手。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The gateway did not answer in time.</source>
        <translation>网关未及时响应。</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>No gateway address is configured.</source>
        <translation>未配置网关地址。</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Disconnected.</source>
        <translation>已断开连接。</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>The gateway at %1 presented a certificate that is not the pinned one; connection refused.</source>
        <translation>位于 %1 的网关出示的证书与固定（pinned）证书不符；已拒绝连接。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>The gateway sent a text message (%1 characters); only binary frames are valid. Ignored.</source>
        <translation>网关发送了一条文本消息（%1 个字符）；只有二进制帧有效。已忽略。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>The gateway sent a frame of %1 bytes that does not parse as hchat.v1.Frame; ignored it and resynchronising by pulling.</source>
        <translation>网关发送了一个 %1 字节的帧，无法解析为 hchat.v1.Frame；已忽略，正在通过拉取重新同步。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>The gateway refused the session: %1</source>
        <translation>网关拒绝了会话：%1</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The TLS certificate of %1 was refused: %2</source>
        <translation>%1 的 TLS 证书被拒绝：%2</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The gateway sent a frame larger than %1 bytes; dropped the link.</source>
        <translation>网关发送的帧超过 %1 字节；已断开链接。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The gateway closed the connection (code %1).</source>
        <translation>网关关闭了连接（代码 %1）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The gateway closed the connection: %1</source>
        <translation>网关关闭了连接：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The connection dropped before the gateway answered.</source>
        <translation>网关响应前连接已中断。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>No gateway is reachable (%1).</source>
        <translation>无法连接到任何网关（%1）。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>No sign of life from the gateway for %1 s; the link is dead, reconnecting.</source>
        <translation>网关已 %1 秒没有响应；连接已失效，正在重新连接。</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>The gateway did not answer a ping after a network change; reconnecting.</source>
        <translation>网络变化后网关未响应 ping；正在重新连接。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Simulated network failure.</source>
        <translation>模拟网络故障。</translation>
    </message>
</context>
<context>
    <name>hchat::SendPipeline</name>
    <message>
        <location filename="../core/SendPipeline.cpp" line="+39"/>
        <source>The message you reply to is not in this channel.</source>
        <translation>你回复的消息不在此频道中。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 is not end-to-end encrypted: its moderators delete through the server.</source>
        <translation>%1 未端到端加密：其管理员通过服务器删除消息。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>There is no such message to delete.</source>
        <translation>没有可删除的此条消息。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Only the channel&apos;s owner and moderators may delete others&apos; messages, and in %1 the members&apos; own signed records do not make you one.</source>
        <translation>只有频道所有者和管理员可以删除他人的消息；在 %1 中，成员自己签名的记录并未使你成为其中之一。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>There is no such message to change.</source>
        <translation>没有这条可更改的消息。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only your own messages can be edited or deleted.</source>
        <translation>只能编辑或删除你自己的消息。</translation>
    </message>
    <message>
        <location line="-20"/>
        <location line="+22"/>
        <source>That message was deleted.</source>
        <translation>该消息已被删除。</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+13"/>
        <source>No channel %1.</source>
        <translation>没有频道 %1。</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>The message is empty.</source>
        <translation>消息为空。</translation>
    </message>
    <message>
        <location line="-32"/>
        <location line="+45"/>
        <location line="+29"/>
        <source>End-to-end encryption is not ready on this device yet.</source>
        <translation>此设备上的端到端加密尚未就绪。</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>%1 is end-to-end encrypted now; send the file again.</source>
        <translation>%1 现已启用端到端加密；请重新发送该文件。</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Not shared with %1: the key changed or the device is new. Check and accept it to include it.</source>
        <translation>未与 %1 共享：其密钥已更改或为新设备。请核对并接受后再将其纳入。</translation>
    </message>
</context>
<context>
    <name>hchat::SyncEngine</name>
    <message>
        <location filename="../core/SyncEngine.cpp" line="+49"/>
        <source>Rejected a sync response for &quot;%1&quot;: %2. History kept; pulling again.</source>
        <translation>已拒绝“%1”的同步响应：%2。历史记录已保留；正在重新拉取。</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>the response is for channel &quot;%1&quot;, not &quot;%2&quot;</source>
        <translation>该响应属于频道“%1”，而非“%2”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the response holds %1 messages, above the limit of %2</source>
        <translation>该响应包含 %1 条消息，超过上限 %2</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>seq %1 belongs to channel &quot;%2&quot;</source>
        <translation>seq %1 属于频道“%2”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>hole: expected seq %1, got %2</source>
        <translation>缺口：预期 seq 为 %1，实际为 %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>server_max_seq %1 is below the last seq %2</source>
        <translation>server_max_seq %1 小于最后的 seq %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the batch starts at %1 but the history ends at %2</source>
        <translation>该批次从 %1 开始，但历史记录止于 %2</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>Could not store a message of &quot;%1&quot;: %2</source>
        <translation>无法保存“%1”的一条消息：%2</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Could not store messages of &quot;%1&quot;: %2</source>
        <translation>无法保存“%1”的消息：%2</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Could not pull &quot;%1&quot;: %2</source>
        <translation>无法拉取“%1”：%2</translation>
    </message>
</context>
<context>
    <name>hchat::SyncPuller</name>
    <message>
        <location filename="../core/SyncPuller.cpp" line="+97"/>
        <source>the sync response for &quot;%1&quot; (%2 bytes) does not parse</source>
        <translation>无法解析“%1”的同步响应（%2 字节）</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>the gateway said has_more with an empty batch</source>
        <translation>网关返回了 has_more，但批次为空</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::AttachmentCipher</name>
    <message>
        <location filename="../core/crypto/AttachmentCipher.cpp" line="+100"/>
        <location line="+53"/>
        <location line="+54"/>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="-96"/>
        <location line="+64"/>
        <location line="+54"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>The attachment&apos;s key is invalid.</source>
        <translation>附件的密钥无效。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The attachment is damaged or was tampered with.</source>
        <translation>附件已损坏或被篡改。</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::ChannelCrypto</name>
    <message>
        <location filename="../core/crypto/ChannelCrypto.cpp" line="+265"/>
        <location line="+209"/>
        <location line="+53"/>
        <location line="+108"/>
        <location line="+105"/>
        <source>Encryption is not set up on this device.</source>
        <translation>此设备尚未设置加密。</translation>
    </message>
    <message>
        <location line="-453"/>
        <source>No device %1 is waiting on this account.</source>
        <translation>此账号上没有正在等待的设备 %1。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>An account keeps at least one device.</source>
        <translation>账号至少需要保留一台设备。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Could not sign the device list.</source>
        <translation>无法对设备列表签名。</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Waiting for the key: approve this device from one of your other devices, which then hand it the keys of your history.</source>
        <translation>正在等待密钥：请在你的另一台设备上批准此设备，它们随后会把你的历史记录密钥交给此设备。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Waiting for the key from the sender&apos;s device (for messages from before this device: from your other devices, once one of them is online).</source>
        <translation>正在等待发送者设备的密钥（对于此设备出现之前的消息：等你的其他设备之一上线后由其提供）。</translation>
    </message>
    <message>
        <location line="+118"/>
        <source>%1 has its genesis already.</source>
        <translation>%1 已有创建记录。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The membership of %1 is not signed.</source>
        <translation>%1 的成员信息未经签名。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is no invitation to %1 to accept.</source>
        <translation>没有可接受的加入 %1 的邀请。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The membership change could not be signed.</source>
        <translation>无法对成员变动签名。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>You are not a member of %1 (as far as its membership messages show).</source>
        <translation>你不是 %1 的成员（根据其成员变动消息判断）。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not create a sender key.</source>
        <translation>无法创建发送方密钥。</translation>
    </message>
    <message>
        <location line="-171"/>
        <source>waiting for the channel&apos;s membership</source>
        <translation>正在等待频道的成员信息</translation>
    </message>
    <message>
        <location line="+397"/>
        <source>a forwarded key from %1, not another device of this account</source>
        <translation>来自 %1 的转发密钥，并非本账户的其他设备</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is not a member of %2</source>
        <translation>%1 不是 %2 的成员</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::ChannelMembership</name>
    <message>
        <location filename="../core/crypto/ChannelMembership.cpp" line="+81"/>
        <source>The server added %1 without a signed invitation from a member: %1 is not a member and gets no keys.</source>
        <translation>服务器在没有成员签名邀请的情况下添加了 %1：%1 不是成员，不会获得任何密钥。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>An unreadable membership change (%1) was ignored.</source>
        <translation>已忽略一条无法读取的成员变动（%1）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>A membership change in the name of %1 was not sent by %1&apos;s device; it was ignored.</source>
        <translation>一条以 %1 名义发出的成员变动并非由 %1 的设备发送；已忽略。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A membership change in the name of %1 has a bad signature; it was ignored.</source>
        <translation>一条以 %1 名义发出的成员变动签名无效；已忽略。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>A second genesis of this channel, by %1, was ignored.</source>
        <translation>已忽略 %1 发出的此频道的第二条创建记录。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A malformed genesis of this channel was ignored.</source>
        <translation>已忽略此频道一条格式错误的创建记录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A genesis by %1, who did not create this channel, was ignored.</source>
        <translation>%1 并非此频道的创建者，已忽略其发出的创建记录。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A direct channel&apos;s genesis must name its two people; it was ignored.</source>
        <translation>私信的创建记录必须指明对话双方；已忽略。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A direct channel cannot have a private channel&apos;s genesis; it was ignored.</source>
        <translation>私信不能使用私密频道的创建记录；已忽略。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>A membership change before the channel&apos;s genesis was ignored.</source>
        <translation>已忽略一条早于频道创建记录的成员变动。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A membership change by %1 follows a change this device never saw; it was ignored.</source>
        <translation>%1 发出的一条成员变动接在本设备从未见过的变动之后；已忽略。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nobody can be added to a direct channel; %1&apos;s invitation of %2 was ignored.</source>
        <translation>私信中不能添加任何人；已忽略 %1 对 %2 的邀请。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1, not a member, cannot invite %2; ignored.</source>
        <translation>%1 不是成员，无法邀请 %2；已忽略。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 accepted an invitation that does not exist; ignored.</source>
        <translation>%1 接受了一个不存在的邀请；已忽略。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Nobody can be removed from a direct channel; ignored.</source>
        <translation>不能从私信中移除任何人；已忽略。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1, not a member, cannot remove %2; ignored.</source>
        <translation>%1 不是成员，无法移除 %2；已忽略。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 may not remove %2 (only the owner and moderators remove, and not their equals); ignored.</source>
        <translation>%1 无权移除 %2（只有所有者和管理员可以移除成员，且不能移除同级成员）；已忽略。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>A direct channel has no roles; ignored.</source>
        <translation>私聊没有角色；已忽略。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1, not the owner, cannot change %2&apos;s role; ignored.</source>
        <translation>%1 不是所有者，不能更改 %2 的角色；已忽略。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1&apos;s role change for %2, not another member, was ignored.</source>
        <translation>%1 对 %2（不是其他成员）的角色更改已被忽略。</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::DeviceList</name>
    <message>
        <location filename="../core/crypto/DeviceList.cpp" line="+176"/>
        <source>an older device list than the one already known</source>
        <translation>比已知设备列表更旧的设备列表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a device list of another account</source>
        <translation>属于其他账号的设备列表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a device list signed by a device the account never approved</source>
        <translation>由该账号从未批准过的设备签名的设备列表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a device list with a bad signature</source>
        <translation>签名无效的设备列表</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::Files</name>
    <message>
        <location filename="../core/crypto/AttachmentCipher.cpp" line="-134"/>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+8"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::KeyShare</name>
    <message>
        <location filename="../core/crypto/KeyShare.cpp" line="+236"/>
        <source>malformed key share</source>
        <translation>格式错误的密钥分发</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key share of an unsupported version</source>
        <translation>版本不受支持的密钥分发</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key share addressed to another device</source>
        <translation>发给其他设备的密钥分发</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key share from a device that is not trusted</source>
        <translation>来自不受信任设备的密钥分发</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key share with a bad signature</source>
        <translation>签名无效的密钥分发</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key share that does not decrypt</source>
        <translation>无法解密的密钥分发</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key share sealed to a one-time key this device no longer has</source>
        <translation>以本设备已不再持有的一次性密钥封装的密钥分发</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::KeychainIdentityStore</name>
    <message>
        <location filename="../core/crypto/KeychainIdentityStore.cpp" line="+15"/>
        <source>No OS keychain is available (%1); keep the device key in a passphrase-protected file instead.</source>
        <translation>系统钥匙串不可用（%1）；请改为将设备密钥保存在受密码短语保护的文件中。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Access to the OS keychain was denied: %1</source>
        <translation>访问系统钥匙串被拒绝：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>OS keychain error: %1</source>
        <translation>系统钥匙串错误：%1</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>The device key in the OS keychain is damaged.</source>
        <translation>系统钥匙串中的设备密钥已损坏。</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::MessageCrypto</name>
    <message>
        <location filename="../core/crypto/MessageCrypto.cpp" line="+113"/>
        <source>The message is too large to encrypt (at most %1 bytes).</source>
        <translation>消息过大，无法加密（最多 %1 字节）。</translation>
    </message>
    <message>
        <location line="+162"/>
        <source>Undecryptable: the message is malformed.</source>
        <translation>无法解密：消息格式错误。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undecryptable: the message uses an unsupported encryption version.</source>
        <translation>无法解密：消息使用了不受支持的加密版本。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undecryptable: the message was written for another channel (replayed).</source>
        <translation>无法解密：该消息原本发往其他频道（重放）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undecryptable: bad signature — the message was altered or its sender is forged.</source>
        <translation>无法解密：签名无效——消息已被篡改或发送者系伪造。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting for the key from the sender&apos;s device.</source>
        <translation>正在等待发送者设备的密钥。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undecryptable: this message was already received (replayed).</source>
        <translation>无法解密：此消息已接收过（重放）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undecryptable: decryption failed.</source>
        <translation>无法解密：解密失败。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undecryptable: its sender was not a member of the channel then.</source>
        <translation>无法解密：发送者当时不是该频道的成员。</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::PassphraseIdentityStore</name>
    <message>
        <location filename="../core/crypto/PassphraseIdentityStore.cpp" line="+60"/>
        <source>Cannot read the device key file %1: %2</source>
        <translation>无法读取设备密钥文件 %1：%2</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+46"/>
        <source>Not enough memory to derive the key from the passphrase.</source>
        <translation>内存不足，无法从密码短语派生密钥。</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+4"/>
        <source>Cannot write the device key file %1: %2</source>
        <translation>无法写入设备密钥文件 %1：%2</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>There is no device key file for this account yet.</source>
        <translation>此账号尚无设备密钥文件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A passphrase is needed to unlock the device key.</source>
        <translation>需要密码短语才能解锁设备密钥。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wrong passphrase: the device key file could not be unlocked. Nothing was changed.</source>
        <translation>密码短语错误：无法解锁设备密钥文件。未做任何更改。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The device key file is damaged or not an HChat key file. Nothing was changed.</source>
        <translation>设备密钥文件已损坏或不是 HChat 密钥文件。未做任何更改。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The device key file belongs to another account. Nothing was changed.</source>
        <translation>该设备密钥文件属于其他账号。未做任何更改。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The device key file could not be read or written.</source>
        <translation>无法读取或写入设备密钥文件。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Encryption is unavailable (libsodium failed or memory ran out).</source>
        <translation>加密不可用（libsodium 出错或内存不足）。</translation>
    </message>
</context>
<context>
    <name>hchat::crypto::TrustStore</name>
    <message>
        <location filename="../core/crypto/TrustStore.cpp" line="+55"/>
        <source>Cannot read the trusted keys file %1</source>
        <translation>无法读取受信任密钥文件 %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+19"/>
        <source>The trusted keys file %1 is damaged; it was left as it is</source>
        <translation>受信任密钥文件 %1 已损坏；该文件已保持原样</translation>
    </message>
    <message>
        <location line="+47"/>
        <location line="+6"/>
        <source>Cannot write the trusted keys file %1: %2</source>
        <translation>无法写入受信任密钥文件 %1：%2</translation>
    </message>
    <message>
        <location line="+217"/>
        <source>unknown device</source>
        <translation>未知设备</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>trusted (first use)</source>
        <translation>已信任（首次使用）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>verified</source>
        <translation>已验证</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SECURITY KEY CHANGED: not trusted until you accept it</source>
        <translation>安全密钥已更改：在你接受之前不受信任</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>new device: not trusted until you accept it</source>
        <translation>新设备：在你接受之前不受信任</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>revoked: no longer a device of this account, gets no keys</source>
        <translation>已注销：不再是此账号的设备，不会获得任何密钥</translation>
    </message>
</context>
<context>
    <name>hchat::ui::AccountDialog</name>
    <message>
        <location filename="../ui/AccountDialog.cpp" line="+41"/>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Log out everywhere…</source>
        <translation>在所有设备上退出登录…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete account…</source>
        <translation>删除账号…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Account of %1</source>
        <translation>%1 的账号</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Current password:</source>
        <translation>当前密码：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repeat the new password:</source>
        <translation>再次输入新密码：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your other devices are signed out; this one stays signed in.</source>
        <translation>你的其他设备将退出登录；本设备保持登录。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signs out every device of this account, this one too.</source>
        <translation>让此账号的所有设备退出登录，包括本设备。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+77"/>
        <source>Delete account</source>
        <translation>删除账号</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>Deletes this account for good: you leave every channel, your devices are signed out, and others see your messages as from a deleted user. Nobody can take your name afterwards. Type your password to confirm.</source>
        <translation>永久删除此账号：你将退出所有频道，你的设备将退出登录，其他人看到你的消息将显示为来自“已删除用户”。此后任何人都无法再使用你的用户名。请输入密码以确认。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>The new passwords do not match.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The new password must be at least 8 characters long.</source>
        <translation>新密码至少需要 8 个字符。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Changing the password…</source>
        <translation>正在修改密码…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Log out everywhere</source>
        <translation>在所有设备上退出登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out every device of %1, this one too?</source>
        <translation>让 %1 的所有设备（包括本设备）退出登录？</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Signing out every device…</source>
        <translation>正在让所有设备退出登录…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Delete the account %1 for good? This cannot be undone.</source>
        <translation>永久删除账号 %1？此操作无法撤销。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Deleting the account…</source>
        <translation>正在删除账号…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The gateway refused the request.</source>
        <translation>网关拒绝了该请求。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The password was changed. Your other devices were signed out.</source>
        <translation>密码已修改。你的其他设备已退出登录。</translation>
    </message>
</context>
<context>
    <name>hchat::ui::AdminDialog</name>
    <message>
        <location filename="../ui/AdminDialog.cpp" line="+52"/>
        <source>Administer the gateway</source>
        <translation>管理网关</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Users</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Invite codes</source>
        <translation>邀请码(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Channels</source>
        <translation>频道(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Audit log</source>
        <translation>审计日志(&amp;A)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Standing</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;reate user…</source>
        <translation>创建用户(&amp;R)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Suspend / lift</source>
        <translation>停用 / 恢复</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make / remove admin</source>
        <translation>设为 / 取消管理员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete account…</source>
        <translation>删除账号…</translation>
    </message>
    <message>
        <location line="+26"/>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Invite codes made here</source>
        <translation>在此生成的邀请码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Make a code</source>
        <translation>生成邀请码(&amp;M)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Copied the invite code.</source>
        <translation>已复制邀请码。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Uses</source>
        <translation>可用次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Valid for</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Channel</source>
        <translation>频道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Purge channel…</source>
        <translation>清除频道(&amp;P)…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Who</source>
        <translation>操作者</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>suspended</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>direct</source>
        <translation>私信</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>private</source>
        <translation>私密</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>open</source>
        <translation>公开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, encrypted</source>
        <translation>%1，已加密</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%1 (%n use(s), valid %2 days)</source>
        <translation>
            <numerusform>%1（可用 %n 次，%2 天内有效）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Created the user %1, an administrator.</source>
        <translation>已创建用户 %1（管理员）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Created the user %1.</source>
        <translation>已创建用户 %1。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new password for %1 (every session of the account is signed out):</source>
        <translation>为 %1 设置新密码（该账号的所有会话都将退出登录）：</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Delete account</source>
        <translation>删除账号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the account %1 for good? Its nick stays taken.</source>
        <translation>永久删除账号 %1？其昵称将保持占用。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Purge channel</source>
        <translation>清除频道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete %1 with every message and file in it, for everyone? This cannot be undone.</source>
        <translation>为所有人删除 %1 及其中的所有消息和文件？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>hchat::ui::AttachmentPane</name>
    <message>
        <location filename="../ui/AttachmentPane.cpp" line="+36"/>
        <source>Send files to %1</source>
        <translation>发送文件到 %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 was not sent: %2</source>
        <translation>%1 未发送：%2</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Save attachment</source>
        <translation>保存附件</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+26"/>
        <source>Could not save %1.</source>
        <translation>无法保存 %1。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Open a program?</source>
        <translation>要打开程序吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“%1” is a program or a script: opening it may run it on this computer, with access to your files. Open it only if you trust its sender and expected this file.</source>
        <translation>“%1”是程序或脚本：打开它可能会在此计算机上运行它，并使其能够访问你的文件。仅当你信任其发送者且确实在等待此文件时才打开。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open anyway</source>
        <translation>仍然打开</translation>
    </message>
</context>
<context>
    <name>hchat::ui::BlockedUsersDialog</name>
    <message>
        <location filename="../ui/BlockedUsersDialog.cpp" line="+27"/>
        <location line="+9"/>
        <source>Blocked users</source>
        <translation>已屏蔽的用户</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Blocked users cannot send you direct messages or invite you to channels, and their messages in the channels you share are hidden. They are not told.</source>
        <translation>被屏蔽的用户无法给你发送私信或邀请你加入频道，他们在你们共同所在频道中的消息会被隐藏。对方不会收到通知。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Unblock</source>
        <translation>取消屏蔽(&amp;U)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nick of the user to block</source>
        <translation>要屏蔽的用户的昵称</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Block</source>
        <translation>屏蔽(&amp;B)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block a &amp;user:</source>
        <translation>屏蔽用户(&amp;U)：</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>You have not blocked anyone.</source>
        <translation>你还没有屏蔽任何人。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>You cannot block yourself.</source>
        <translation>不能屏蔽自己。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is already blocked.</source>
        <translation>%1 已被屏蔽。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Blocking %1…</source>
        <translation>正在屏蔽 %1…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Unblocking %1…</source>
        <translation>正在取消屏蔽 %1…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Blocked %1.</source>
        <translation>已屏蔽 %1。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Could not block %1: %2</source>
        <translation>无法屏蔽 %1：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Unblocked %1.</source>
        <translation>已取消屏蔽 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not unblock %1: %2</source>
        <translation>无法取消屏蔽 %1：%2</translation>
    </message>
</context>
<context>
    <name>hchat::ui::BrowseChannelsDialog</name>
    <message>
        <location filename="../ui/BrowseChannelsDialog.cpp" line="+24"/>
        <location line="+119"/>
        <source>&amp;Join</source>
        <translation>加入(&amp;J)</translation>
    </message>
    <message>
        <location line="-116"/>
        <source>Browse channels</source>
        <translation>浏览频道</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Search by name or topic</source>
        <translation>按名称或主题搜索</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search channels</source>
        <translation>搜索频道</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open channels</source>
        <translation>公开频道</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Channel</source>
        <translation>频道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Looking for channels…</source>
        <translation>正在查找频道…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>#%1 ✓</source>
        <translation>#%1 ✓</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>You are a member of #%1</source>
        <translation>你是 #%1 的成员</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>There are no open channels yet.</source>
        <translation>还没有公开频道。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No open channel matches “%1”.</source>
        <translation>没有与“%1”匹配的公开频道。</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>The first %n channels; search to find others.</source>
        <translation>
            <numerusform>前 %n 个频道；搜索以查找其他频道。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The channel list is unavailable: %1</source>
        <translation>无法获取频道列表：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Could not join #%1: %2</source>
        <translation>无法加入 #%1：%2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Joining #%1…</source>
        <translation>正在加入 #%1…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Open</source>
        <translation>打开(&amp;O)</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ChannelListModel</name>
    <message>
        <location filename="../ui/ChannelListModel.cpp" line="+48"/>
        <source>Invitation from %1</source>
        <translation>来自 %1 的邀请</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a message not from a member</source>
        <translation>一条非成员发送的消息</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a message from a blocked user</source>
        <translation>一条来自已屏蔽用户的消息</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: sent a file</source>
        <translation>%1：发送了一个文件</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>%1: encrypted message</source>
        <translation>%1：加密消息</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Direct message with %1</source>
        <translation>与 %1 的私信</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel %1</source>
        <translation>频道 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, encrypted</source>
        <translation>，已加密</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>, %n unread</source>
        <translation>
            <numerusform>，%n 条未读</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, muted</source>
        <translation>，已静音</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ChannelSettingsDialog</name>
    <message>
        <location filename="../ui/ChannelSettingsDialog.cpp" line="+30"/>
        <source>Settings of #%1</source>
        <translation>#%1 的设置</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>What the channel is about</source>
        <translation>频道的内容简介</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read-only: only moderators can write</source>
        <translation>只读：只有管理员可以发言</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+14"/>
        <source>Bans</source>
        <translation>封禁</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Banned by</source>
        <translation>封禁者</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Lift ban</source>
        <translation>解除封禁(&amp;L)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Topic</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Nobody is banned.</source>
        <translation>没有人被封禁。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The bans are unavailable: %1</source>
        <translation>无法获取封禁列表：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The ban was not lifted: %1</source>
        <translation>未能解除封禁：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ChannelSidebar</name>
    <message>
        <location filename="../ui/ChannelSidebar.cpp" line="+49"/>
        <location line="+1"/>
        <source>Search messages</source>
        <translation>搜索消息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Channels</source>
        <translation>频道</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Unmute</source>
        <translation>取消静音</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Notify only for @mentions</source>
        <translation>仅在被 @ 提及时通知</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Leave</source>
        <translation>退出频道</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>No messages match “%1”.</source>
        <translation>没有与“%1”匹配的消息。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Join a channel</source>
        <translation>加入频道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel name (lower-case letters, digits, . _ -):</source>
        <translation>频道名称（小写字母、数字、. _ -）：</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Direct message</source>
        <translation>私信</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+26"/>
        <source>Nick:</source>
        <translation>昵称：</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>New private channel</source>
        <translation>新建私密频道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Channel name (members add members):</source>
        <translation>频道名称（成员可邀请其他成员加入）：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Invite to %1</source>
        <translation>邀请加入 %1</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ChannelSwitcher</name>
    <message>
        <location filename="../ui/ChannelSwitcher.cpp" line="+18"/>
        <source>Switch to channel</source>
        <translation>切换到频道</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Channel or person</source>
        <translation>频道或联系人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel or person to switch to</source>
        <translation>要切换到的频道或联系人</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Matching channels</source>
        <translation>匹配的频道</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ChatPane</name>
    <message>
        <location filename="../ui/ChatPane.cpp" line="+168"/>
        <source>Could not accept the key of %1.</source>
        <translation>无法接受 %1 的密钥。</translation>
    </message>
    <message>
        <location line="-112"/>
        <source>Browse channels…</source>
        <translation>浏览频道…</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>Join a channel to start (Ctrl+J), or browse the channels there are</source>
        <translation>加入一个频道开始聊天（Ctrl+J），或浏览现有的频道</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 (encrypted)</source>
        <translation>%1（已加密）</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Show the message</source>
        <translation>显示该消息</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Open attachment</source>
        <translation>打开附件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save attachment as…</source>
        <translation>附件另存为…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Delete as moderator…</source>
        <translation>以管理员身份删除…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this message for everyone in %1?</source>
        <translation>为 %1 中的所有人删除此消息？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Copy text</source>
        <translation>复制文本</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 is typing…</source>
        <translation>%1 正在输入…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 and %2 are typing…</source>
        <translation>%1 和 %2 正在输入…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Several people are typing…</source>
        <translation>多人正在输入…</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ComposePane</name>
    <message>
        <location filename="../ui/ComposePane.cpp" line="+35"/>
        <source>Send a file (or drop files on the window)</source>
        <translation>发送文件（或将文件拖到窗口上）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send a file</source>
        <translation>发送文件</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>This channel is read-only: only its moderators can write here.</source>
        <translation>此频道为只读：只有管理员可以在此发言。</translation>
    </message>
    <message>
        <location line="+141"/>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this message for everyone? Its text is removed from every device and from the server; the others see that a message was deleted.</source>
        <translation>要为所有人删除这条消息吗？它的文字会从每台设备和服务器上移除；其他人会看到有一条消息已被删除。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>hchat::ui::Composer</name>
    <message>
        <location filename="../ui/Composer.cpp" line="+16"/>
        <source>Write a message…  (Enter sends, Shift+Enter for a new line)</source>
        <translation>输入消息…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Mention someone</source>
        <translation>提及某人</translation>
    </message>
</context>
<context>
    <name>hchat::ui::CreateUserDialog</name>
    <message>
        <location filename="../ui/CreateUserDialog.cpp" line="+29"/>
        <source>Create user</source>
        <translation>创建用户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Letters, digits, _ . -</source>
        <translation>字母、数字、_ . -</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>At least 8 characters</source>
        <translation>至少 8 个字符</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Gateway &amp;administrator</source>
        <translation>网关管理员(&amp;A)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>C&amp;reate</source>
        <translation>创建(&amp;R)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Nick</source>
        <translation>昵称(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Confirm password</source>
        <translation>确认密码(&amp;C)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The new user signs in with this nick and password.</source>
        <translation>新用户将使用此昵称和密码登录。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Enter a nick for the new user.</source>
        <translation>请输入新用户的昵称。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The password must be 8 to 256 characters long.</source>
        <translation>密码长度必须为 8 到 256 个字符。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Creating %1…</source>
        <translation>正在创建 %1…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The gateway did not create %1: %2</source>
        <translation>网关未创建 %1：%2</translation>
    </message>
</context>
<context>
    <name>hchat::ui::DesktopNotifier</name>
    <message>
        <location filename="../ui/DesktopNotifier.cpp" line="+138"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>hchat::ui::DeviceApprovalBar</name>
    <message>
        <location filename="../ui/DeviceApprovalBar.cpp" line="+38"/>
        <source>This device waits for approval. On another device where you are signed in as %1, approve it if that device shows this code. Until then your contacts share no keys with this device, so encrypted messages cannot be read here.</source>
        <translation>本设备正在等待批准。请在你以 %1 身份登录的另一台设备上操作：如果那台设备显示的是此验证码，就批准本设备。在此之前，你的联系人不会与本设备共享密钥，因此无法在此阅读加密消息。</translation>
    </message>
</context>
<context>
    <name>hchat::ui::DeviceApprovalPrompt</name>
    <message>
        <location filename="../ui/DeviceApprovalPrompt.cpp" line="+10"/>
        <source>Approve a new device?</source>
        <translation>要批准新设备吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new device signed in to your account %1 (device %2). Approve it only if it shows this code:

%3

Once approved, your contacts&apos; devices trust it and it can read what is sent to you from now on. If you did not just sign in somewhere, choose “Not mine”: the device is signed out.</source>
        <translation>一台新设备登录了你的账号 %1（设备 %2）。仅当它显示以下验证码时才批准：

%3

批准后，你的联系人的设备将信任它，且从现在起它可以阅读发送给你的内容。如果你刚才并未在别处登录，请选择“不是我的”：该设备将被退出登录。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Approve</source>
        <translation>批准(&amp;A)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Not mine</source>
        <translation>不是我的(&amp;N)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Later</source>
        <translation>稍后(&amp;L)</translation>
    </message>
</context>
<context>
    <name>hchat::ui::DevicesDialog</name>
    <message>
        <location filename="../ui/DevicesDialog.cpp" line="+29"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Revoke…</source>
        <translation>注销(&amp;R)…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Accept key</source>
        <translation>接受密钥(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Safety number…</source>
        <translation>安全码(&amp;S)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+19"/>
        <source>Your devices</source>
        <translation>你的设备</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Added</source>
        <translation>添加时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last active</source>
        <translation>最近活跃</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sign the selected device out: its session ends at once and it must sign in again.</source>
        <translation>注销所选设备：其会话将立即结束，且必须重新登录。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Devices of people in your encrypted channels</source>
        <translation>你的加密频道中成员的设备</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Person and device</source>
        <translation>用户与设备</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Trust</source>
        <translation>信任状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>First seen</source>
        <translation>首次出现</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Trust this device&apos;s new key. Compare safety numbers first if you can.</source>
        <translation>信任此设备的新密钥。如有可能，请先核对安全码。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>People in your encrypted channels</source>
        <translation>你的加密频道中的成员</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Could not list your devices: %1</source>
        <translation>无法列出你的设备：%1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not revoke “%1”: %2</source>
        <translation>无法注销“%1”：%2</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Asking the gateway for your devices…</source>
        <translation>正在向网关获取你的设备…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 (this device)</source>
        <translation>%1（本设备）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Device %1</source>
        <translation>设备 %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n device(s) signed in to this account.</source>
        <translation>
            <numerusform>此账号已登录 %n 台设备。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+31"/>
        <source>no keys known yet</source>
        <translation>尚无已知密钥</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>device %1</source>
        <translation>设备 %1</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Revoke device</source>
        <translation>注销设备</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out “%1”? Its session ends at once; it keeps its local history but must sign in again.</source>
        <translation>要注销“%1”吗？其会话将立即结束；该设备会保留本地历史记录，但必须重新登录。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Revoking “%1”…</source>
        <translation>正在注销“%1”…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Could not accept the key of %1.</source>
        <translation>无法接受 %1 的密钥。</translation>
    </message>
</context>
<context>
    <name>hchat::ui::InvitationBar</name>
    <message>
        <location filename="../ui/InvitationBar.cpp" line="+10"/>
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Decline</source>
        <translation>拒绝(&amp;D)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>%1 invited you to %2, an end-to-end encrypted channel. Accept to read and write there; until then no member&apos;s device shares its keys with yours.</source>
        <translation>%1 邀请你加入端到端加密频道 %2。接受后即可在其中阅读和发言；在此之前，任何成员的设备都不会与你的设备共享密钥。</translation>
    </message>
</context>
<context>
    <name>hchat::ui::KeyChangeBanner</name>
    <message>
        <location filename="../ui/KeyChangeBanner.cpp" line="+10"/>
        <source>Accept the new key</source>
        <translation>接受新密钥</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Safety number…</source>
        <translation>安全码…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Security warning</source>
        <translation>安全警告</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>%1 has a new device (%2). Messages are not shared with it until you accept it. If %1 did not add a device, someone may be listening in.</source>
        <translation>%1 有一台新设备（%2）。在你接受之前，消息不会与该设备共享。如果 %1 并未添加设备，可能有人在窃听。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The security key of %1 (device %2) changed. Messages are not shared with it until you accept the new key. Compare safety numbers if you are unsure.</source>
        <translation>%1 的安全密钥（设备 %2）已更改。在你接受新密钥之前，消息不会与该设备共享。如有疑虑，请核对安全码。</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>(%n more warning(s))</source>
        <translation>
            <numerusform>（另有 %n 条警告）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hchat::ui::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="+59"/>
        <location line="+298"/>
        <source>HChat</source>
        <translation>HChat</translation>
    </message>
    <message>
        <location line="-207"/>
        <source>Encrypted channels are unavailable: %1 Use Chat → Unlock encryption with a passphrase.</source>
        <translation>加密频道不可用：%1 请使用“聊天 → 使用密码短语解锁加密”。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>HChat — %1</source>
        <translation>HChat — %1</translation>
    </message>
    <message>
        <location line="+339"/>
        <source>Approving the new device…</source>
        <translation>正在批准新设备…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The other device is being signed out.</source>
        <translation>正在让另一台设备退出登录。</translation>
    </message>
    <message>
        <location line="-251"/>
        <source>&amp;Chat</source>
        <translation>聊天(&amp;C)</translation>
    </message>
    <message>
        <location line="-85"/>
        <source>You are no longer a member of %1.</source>
        <translation>你已不再是 %1 的成员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are no longer a member of %1: %2</source>
        <translation>你已不再是 %1 的成员：%2</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Only the moderators of a channel change its settings.</source>
        <translation>只有频道的管理员可以更改其设置。</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>&amp;Join channel…</source>
        <translation>加入频道(&amp;J)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Browse channels…</source>
        <translation>浏览频道(&amp;B)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>New &amp;direct message…</source>
        <translation>新建私信(&amp;D)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New &amp;private channel (encrypted)…</source>
        <translation>新建私密频道（加密）(&amp;P)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Invite to this channel…</source>
        <translation>邀请加入此频道(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Leave this channel</source>
        <translation>退出此频道(&amp;L)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>C&amp;hannel settings…</source>
        <translation>频道设置(&amp;H)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Safety number…</source>
        <translation>安全码(&amp;S)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Safety number</source>
        <translation>安全码</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nick:</source>
        <translation>昵称：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>De&amp;vices…</source>
        <translation>设备(&amp;V)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Account…</source>
        <translation>账号(&amp;A)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Blocked &amp;users…</source>
        <translation>已屏蔽的用户(&amp;U)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unlock encryption with a &amp;passphrase…</source>
        <translation>使用密码短语解锁加密(&amp;P)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ad&amp;minister the gateway…</source>
        <translation>管理网关(&amp;M)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;witch to channel…</source>
        <translation>切换频道(&amp;W)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About HChat</source>
        <translation>关于 HChat(&amp;A)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>About HChat</source>
        <translation>关于 HChat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HChat %1</source>
        <translation>HChat %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A desktop chat client with end-to-end encrypted channels.
Qt %1 (built with Qt %2)</source>
        <translation>支持端到端加密频道的桌面聊天客户端。
Qt %1（使用 Qt %2 构建）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Show HChat</source>
        <translation>显示 HChat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message numerus="yes">
        <location line="+22"/>
        <source>HChat — %n unread</source>
        <translation>
            <numerusform>HChat — %n 条未读</numerusform>
        </translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Offline — messages you write are kept and sent when the connection returns</source>
        <translation>离线 — 你写的消息会先保存，连接恢复后自动发送</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Catching up %1 of %2</source>
        <translation>正在同步（%1/%2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Catching up…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Encrypted message</source>
        <translation>加密消息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sent %1</source>
        <translation>发送了 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>sent a file</source>
        <translation>发送了一个文件</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Unlock encryption</source>
        <translation>解锁加密</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This system has no keychain. A passphrase protects this device&apos;s encryption key (a new one is made the first time):</source>
        <translation>此系统没有钥匙串。此设备的加密密钥将由密码短语保护（首次使用时会新建密钥）：</translation>
    </message>
</context>
<context>
    <name>hchat::ui::MemberList</name>
    <message>
        <location filename="../ui/MemberList.cpp" line="+17"/>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 refused: %2</source>
        <translation>%1被拒绝：%2</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>%1 (owner)</source>
        <translation>%1（所有者）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 (moderator)</source>
        <translation>%1（管理员）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 (invited)</source>
        <translation>%1（已邀请）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (blocked)</source>
        <translation>%1（已屏蔽）</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Safety number with %1…</source>
        <translation>与 %1 的安全码…</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+8"/>
        <source>Removing %1</source>
        <translation>移除 %1</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Remove %1 from the channel…</source>
        <translation>将 %1 移出频道…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove %1</source>
        <translation>移除 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why is %1 removed? (shown to the channel; optional)</source>
        <translation>为什么移除 %1？（会显示给频道成员；可不填）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Ban %1 from %2…</source>
        <translation>在 %2 中封禁 %1…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ban %1</source>
        <translation>封禁 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why is %1 banned? (shown to the channel; optional)</source>
        <translation>为什么封禁 %1？（会显示给频道成员；可不填）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Banning %1</source>
        <translation>封禁 %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Remove moderator rights from %1</source>
        <translation>取消 %1 的管理员权限</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <source>Changing the role of %1</source>
        <translation>更改 %1 的角色</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Make %1 a moderator</source>
        <translation>将 %1 设为管理员</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Hand ownership of %1 on to %2…</source>
        <translation>将 %1 的所有权移交给 %2…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hand ownership on</source>
        <translation>移交所有权</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make %1 the owner of %2? You stay a moderator, and only %1 can give ownership back.</source>
        <translation>将 %1 设为 %2 的所有者？你将保留管理员身份，且只有 %1 能将所有权交还。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Handing ownership on to %1</source>
        <translation>将所有权移交给 %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Unblock %1</source>
        <translation>取消屏蔽 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unblocking %1</source>
        <translation>取消屏蔽 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block %1</source>
        <translation>屏蔽 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Blocking %1</source>
        <translation>屏蔽 %1</translation>
    </message>
    <message>
        <location line="-62"/>
        <source>Leave %1</source>
        <translation>退出 %1</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Remove %1 from %2</source>
        <translation>将 %1 移出 %2</translation>
    </message>
</context>
<context>
    <name>hchat::ui::MessageDelegate</name>
    <message>
        <location filename="../ui/MessageDelegate.cpp" line="+40"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>%1 ✔ verified</source>
        <translation>%1 ✔ 已验证</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 ⚠ key changed</source>
        <translation>%1 ⚠ 密钥已更改</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (revoked device)</source>
        <translation>%1（已注销的设备）</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>(edited)</source>
        <translation>（已编辑）</translation>
    </message>
    <message>
        <location line="+50"/>
        <source> · Seen</source>
        <translation> · 已读</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Attachment</source>
        <translation>附件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 · click to download</source>
        <translation>%1 · 点击下载</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>New messages</source>
        <translation>新消息</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Earlier message</source>
        <translation>较早的消息</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>(not in this device&apos;s history)</source>
        <translation>（不在此设备的历史记录中）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>written %1 · delivered %2</source>
        <translation>写于 %1 · 送达于 %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · Seen</source>
        <translation>%1 · 已读</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not sent: %1 — click to retry</source>
        <translation>发送失败：%1 — 点击重试</translation>
    </message>
</context>
<context>
    <name>hchat::ui::MessageListModel</name>
    <message>
        <location filename="../ui/MessageListModel.cpp" line="+99"/>
        <source>This message was deleted.</source>
        <translation>此消息已被删除。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not from a member: %1</source>
        <translation>非成员消息：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Undecryptable: %1</source>
        <translation>无法解密：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Waiting for the key: approve this device from one of your other devices, which then hand it the keys of your history.</source>
        <translation>正在等待密钥：请在你的另一台设备上批准此设备，它们随后会把你的历史记录密钥交给此设备。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting for the key… (shown as soon as it arrives)</source>
        <translation>正在等待密钥…（收到后立即显示）</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+7"/>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>%1 created %2</source>
        <translation>%1 创建了 %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 joined</source>
        <translation>%1 加入了频道</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 added %2</source>
        <translation>%1 添加了 %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+12"/>
        <source>%1 removed %2</source>
        <translation>%1 移除了 %2</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>%1 left</source>
        <translation>%1 退出了频道</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>An account was deleted; its messages are shown as from a deleted user</source>
        <translation>一个账号已被删除；其消息显示为来自“已删除用户”</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 removed %2: %3</source>
        <translation>%1 移除了 %2：%3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 banned %2</source>
        <translation>%1 封禁了 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 banned %2: %3</source>
        <translation>%1 封禁了 %2：%3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 lifted the ban on %2</source>
        <translation>%1 解除了对 %2 的封禁</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 cleared the topic</source>
        <translation>%1 清除了主题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 set the topic to “%2”</source>
        <translation>%1 将主题设为“%2”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 made the channel read-only: only moderators can write</source>
        <translation>%1 将频道设为只读：只有管理员可以发言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 opened the channel to everyone again</source>
        <translation>%1 重新向所有人开放了发言</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is now the owner</source>
        <translation>%1 现在是所有者</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is now a moderator</source>
        <translation>%1 现在是管理员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is no longer a moderator</source>
        <translation>%1 不再是管理员</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>You, not sent: %1. %2</source>
        <translation>你，发送失败：%1。%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You, sending: %1</source>
        <translation>你，正在发送：%1</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Message from a blocked user — show</source>
        <translation>来自已屏蔽用户的消息 — 显示</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You blocked %1. Click to show this message.</source>
        <translation>你已屏蔽 %1。点击显示此消息。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>file %1</source>
        <translation>文件 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>file %1, %2</source>
        <translation>文件 %1，%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (edited)</source>
        <translation>%1（已编辑）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>at %1: %2</source>
        <translation>于 %1：%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (written at %2, delivered late)</source>
        <translation>%1（写于 %2，延迟送达）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 at %2, replying to %3: %4</source>
        <translation>%1 于 %2 回复 %3：%4</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 at %2: %3</source>
        <translation>%1 于 %2：%3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>not a member</source>
        <translation>非成员</translation>
    </message>
    <message>
        <location line="+269"/>
        <source>deleted user</source>
        <translation>已删除用户</translation>
    </message>
</context>
<context>
    <name>hchat::ui::MessageView</name>
    <message>
        <location filename="../ui/MessageView.cpp" line="+24"/>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>hchat::ui::NotificationCenter</name>
    <message numerus="yes">
        <location filename="../ui/NotificationCenter.cpp" line="+84"/>
        <location line="+52"/>
        <source>%n new message(s) in %1</source>
        <translation>
            <numerusform>%1 中有 %n 条新消息</numerusform>
        </translation>
    </message>
    <message>
        <location line="-51"/>
        <source>From %1</source>
        <translation>来自 %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source> and %n other(s)</source>
        <translation>
            <numerusform> 及其他 %n 人</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n new message(s) in %1 channels</source>
        <translation>
            <numerusform>%1 个频道中有 %n 条新消息</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%1: %n new</source>
        <translation>
            <numerusform>%1：%n 条新消息</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>… and %n more channel(s)</source>
        <translation>
            <numerusform>…及其他 %n 个频道</numerusform>
        </translation>
    </message>
    <message>
        <location line="+39"/>
        <source>%1 in %2</source>
        <translation>%1 在 %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New message</source>
        <translation>新消息</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ReplyBar</name>
    <message>
        <location filename="../ui/ReplyBar.cpp" line="+26"/>
        <source>Cancel (Esc)</source>
        <translation>取消（Esc）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Replying to %1: %2</source>
        <translation>回复 %1：%2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Editing your message: %1</source>
        <translation>编辑你的消息：%1</translation>
    </message>
</context>
<context>
    <name>hchat::ui::SafetyNumberDialog</name>
    <message>
        <location filename="../ui/SafetyNumberDialog.cpp" line="+15"/>
        <source>Mark as verified</source>
        <translation>标记为已验证</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Safety number with %1</source>
        <translation>与 %1 的安全码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compare this number with the one %1 sees, in person or over another channel you trust. If they match, nobody is in between.</source>
        <translation>请当面或通过其他可信渠道，将此号码与 %1 看到的号码进行比对。如果两者一致，说明通信没有被中间人拦截。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No keys of %1 are known yet.</source>
        <translation>尚不知道 %1 的任何密钥。</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+11"/>
        <source>Verified</source>
        <translation>已验证</translation>
    </message>
</context>
<context>
    <name>hchat::ui::SettingsDialog</name>
    <message>
        <location filename="../ui/SettingsDialog.cpp" line="+16"/>
        <source>Keep running in the tray when the window is closed</source>
        <translation>关闭窗口后在托盘中保持运行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show desktop notifications</source>
        <translation>显示桌面通知</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show message text in notifications</source>
        <translation>在通知中显示消息内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Let others see when I am typing</source>
        <translation>让他人看到我正在输入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send read receipts in direct messages</source>
        <translation>在私聊中发送已读回执</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This desktop has no system tray.</source>
        <translation>此桌面没有系统托盘。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Follow the desktop</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A new language applies the next time HChat starts.</source>
        <translation>新语言将在下次启动 HChat 时生效。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Appearance:</source>
        <translation>外观：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Window:</source>
        <translation>窗口：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notifications:</source>
        <translation>通知：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Privacy:</source>
        <translation>隐私：</translation>
    </message>
</context>
<context>
    <name>hchat::ui::ShortcutsDialog</name>
    <message>
        <location filename="../ui/ShortcutsDialog.cpp" line="+14"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Send the message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New line in the message</source>
        <translation>在消息中换行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Complete a @mention</source>
        <translation>补全 @提及</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 or %2</source>
        <translation>%1 或 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel a reply or an edit</source>
        <translation>取消回复或编辑</translation>
    </message>
</context>
<context>
    <name>hchat::ui::SignInDialog</name>
    <message>
        <location filename="../ui/SignInDialog.cpp" line="+21"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create account</source>
        <translation>创建账号</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign in to HChat</source>
        <translation>登录 HChat</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Gateway address</source>
        <translation>网关地址</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nick</source>
        <translation>昵称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Invite code</source>
        <translation>邀请码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only to create an account, if the gateway asks for one</source>
        <translation>仅在创建账号且网关要求时填写</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Gateway</source>
        <translation>网关(&amp;G)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Nick</source>
        <translation>昵称(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Invite code</source>
        <translation>邀请码(&amp;I)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Please sign in.</source>
        <translation>请登录。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Connect without encryption?</source>
        <translation>不加密连接？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The gateway %1 is on another machine and the address asks for a connection without encryption (%2://). Anyone on the network between you and it can read your password, your session and every message of channels that are not end-to-end encrypted, and can change what you receive.

Connect without encryption only on a network you control. Use https:// (or host:port alone) for a gateway with TLS.</source>
        <translation>网关 %1 位于另一台机器上，而该地址要求不加密的连接（%2://）。你与它之间网络上的任何人都能读取你的密码、你的会话以及所有未端到端加密频道的每条消息，并能篡改你收到的内容。

只有在你掌控的网络上才应不加密连接。对于支持 TLS 的网关，请使用 https://（或仅填写 主机:端口）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Connect &amp;without encryption</source>
        <translation>不加密连接(&amp;W)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The gateway address is not valid. Use host:port, e.g. 127.0.0.1:8745.</source>
        <translation>网关地址无效。请使用“主机:端口”格式，例如 127.0.0.1:8745。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Enter your nick and password.</source>
        <translation>请输入昵称和密码。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not connected: use an https:// address, or allow the connection without encryption.</source>
        <translation>未连接：请使用 https:// 地址，或允许不加密的连接。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Creating the account…</source>
        <translation>正在创建账号…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Account created. Signing in…</source>
        <translation>账号已创建。正在登录…</translation>
    </message>
</context>
<context>
    <name>hchat::ui::TransferPanel</name>
    <message>
        <location filename="../ui/TransferPanel.cpp" line="-41"/>
        <source>Sending %1</source>
        <translation>正在发送 %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Downloading %1</source>
        <translation>正在下载 %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>%1 was not sent: %2</source>
        <translation>%1 未发送：%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 could not be downloaded: %2</source>
        <translation>%1 无法下载：%2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
</TS>
