#pragma once

#include "HttpRoutes.h"
#include "PasswordHasher.h"

#include <functional>
#include <memory>
#include <string>

namespace hchat::server {

// Accounts and their devices over HTTP: register, log in and out, list and revoke devices, change
// the password, log out everywhere, delete the account. Passwords are hashed and checked on the
// hashing pool, behind the throttles of the source address and of the account.
class AccountRoutes : public HttpRoutes {
public:
    using HttpRoutes::HttpRoutes;

    void registerUser(HttpRequest &request, Reply reply);
    void login(HttpRequest &request, Reply reply);
    void logout(HttpRequest &request, Reply reply);
    void devices(HttpRequest &request, Reply reply);
    void revokeDevice(HttpRequest &request, Reply reply);
    void changePassword(HttpRequest &request, Reply reply);
    void logoutEverywhere(HttpRequest &request, Reply reply);
    void deleteAccount(HttpRequest &request, Reply reply);

private:
    // The account steps: verify `password` of the token's user on the hashing pool, then `then`
    // (on a hashing thread) with the authenticated token; a wrong password answers
    // ERROR_BAD_CREDENTIALS and changes nothing.
    // `check` runs first (after authentication; may throw ProtocolError).
    void withPassword(const std::string &source, const std::string &token,
                      std::shared_ptr<const std::string> password, Reply reply, std::function<void()> check,
                      std::function<void(const TokenRecord &)> then);
    void refuseIfThrottled(const std::string &source, const std::string &account);
    HttpResponse notQueued(PasswordHasher::Queued queued);
};

} // namespace hchat::server
