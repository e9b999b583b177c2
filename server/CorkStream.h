#pragma once

#include "BeastTypes.h"

#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace hchat::server {

// A write-coalescing layer between Beast's websocket::stream and the connection (TCP or TLS), on
// the model of uWebSockets' "cork": every write Beast makes (data frames, pings, pongs, close
// frames, the upgrade response) is appended to a buffer and reported done at once; the buffer goes
// to the connection in one write as soon as no write of it is in flight, so the frames queued
// while one write is on the wire leave together, in one system call (one TLS record per 16 KiB).
//
// A write that finds nothing buffered, nothing on the way and the layer uncorked goes straight to
// the connection (a session whose queue holds one frame at a time costs what it did without this
// layer); only the writes that come while one is on the wire, or while corked, are buffered.
//
// Correctness: Beast serialises its own writes (one frame at a time, whole: header then payload,
// its automatic pongs and close replies included), and this layer keeps them in that order, so
// frames never interleave and a session's order is kept. Only the bytes move later: a frame is
// "written" when it is in this buffer. Above kMaxPending buffered bytes a write waits for the
// connection (the session's own queue then grows and its bound applies). A write error is
// remembered and returned by every later write; the teardown after a close frame first waits
// until the buffer is on the wire.
//
// cork() holds the buffer back (the session knows that more frames follow at once); uncork()
// lets it go. Everything runs on the connection's strand.
template <class NextLayer> class CorkStream {
public:
    using next_layer_type = NextLayer;
    using executor_type = typename NextLayer::executor_type;

    // Past this many buffered bytes a corked buffer is written anyway.
    static constexpr std::size_t kCorkLimit = 64 * 1024;
    // Past this many buffered bytes a write waits until the connection has taken them.
    static constexpr std::size_t kMaxPending = 256 * 1024;
    // A buffer larger than this is released once written (memory of idle connections).
    static constexpr std::size_t kKeepCapacity = 16 * 1024;

    template <class... Args>
    explicit CorkStream(Args &&...args)
        : m_next(std::forward<Args>(args)...), m_state(std::make_shared<State>())
    {
    }
    ~CorkStream()
    {
        if (m_state)
            m_state->alive = false;
    }
    CorkStream(CorkStream &&) = default;
    CorkStream &operator=(CorkStream &&) = delete;
    CorkStream(const CorkStream &) = delete;
    CorkStream &operator=(const CorkStream &) = delete;

    executor_type get_executor() noexcept { return m_next.get_executor(); }
    NextLayer &next_layer() noexcept { return m_next; }
    const NextLayer &next_layer() const noexcept { return m_next; }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence &buffers, ReadHandler &&handler)
    {
        return m_next.async_read_some(buffers, std::forward<ReadHandler>(handler));
    }

    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence &buffers, WriteHandler &&handler)
    {
        return net::async_initiate<WriteHandler, void(beast::error_code, std::size_t)>(
            [this](auto h, const ConstBufferSequence &b) { initiateWrite(std::move(h), b); }, handler,
            buffers);
    }

    // The object that owns this stream (the session): each write to the connection holds it, like
    // every other pending operation of the session does.
    void setOwner(std::weak_ptr<void> owner) { m_owner = std::move(owner); }

    void cork() { m_state->corked = true; }
    void uncork()
    {
        m_state->corked = false;
        if (!m_state->flushing && !m_state->pending.empty())
            startFlush();
    }

    // Calls fn(error) on the strand once everything buffered is on the wire (at once if nothing
    // is), or with the write error that stopped it.
    template <class Fn> void whenFlushed(Fn fn)
    {
        auto &st = *m_state;
        st.corked = false;
        if (st.error || (!st.flushing && st.pending.empty())) {
            net::post(get_executor(), [fn = std::move(fn), ec = st.error]() mutable { fn(ec); });
            return;
        }
        st.flushed = std::make_unique<Waiter<Fn>>(std::move(fn));
        if (!st.flushing)
            startFlush();
    }

    std::size_t buffered() const { return m_state->pending.size(); }
    std::uint64_t flushes() const { return m_state->flushCount; }

private:
    struct WaiterBase {
        virtual ~WaiterBase() = default;
        virtual void complete(beast::error_code ec) = 0;
    };
    template <class Fn> struct Waiter final : WaiterBase {
        explicit Waiter(Fn f) : fn(std::move(f)) {}
        void complete(beast::error_code ec) override { fn(ec); }
        Fn fn;
    };

    struct State {
        std::string pending; // appended to by writes
        std::string sending; // on the wire
        bool flushing = false;
        bool corked = false;
        bool alive = true;
        beast::error_code error;
        std::uint64_t flushCount = 0;
        std::unique_ptr<WaiterBase> blocked; // a write waiting for room
        std::unique_ptr<WaiterBase> flushed; // a teardown waiting for the buffer to go out
    };

    template <class Handler> void completeLater(Handler &&h, beast::error_code ec, std::size_t n)
    {
        auto ex = net::get_associated_executor(h, get_executor());
        net::defer(ex, beast::bind_front_handler(std::forward<Handler>(h), ec, n));
    }

    template <class Handler, class ConstBufferSequence>
    void initiateWrite(Handler &&h, const ConstBufferSequence &buffers)
    {
        auto &st = *m_state;
        if (st.error) {
            completeLater(std::move(h), st.error, 0);
            return;
        }
        if (!st.flushing && !st.corked && st.pending.empty()) {
            // Nothing buffered, nothing on the way: straight to the connection, one write as
            // without this layer (no copy, no extra handler). Beast makes its next write only once
            // this one has completed, so nothing can be buffered behind it meanwhile.
            m_next.async_write_some(buffers, std::move(h));
            return;
        }
        std::size_t n = 0;
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
            const net::const_buffer b = *it;
            st.pending.append(static_cast<const char *>(b.data()), b.size());
            n += b.size();
        }
        if (!st.flushing && (!st.corked || st.pending.size() >= kCorkLimit))
            startFlush();
        if (st.pending.size() >= kMaxPending) {
            // Wait for the connection; the write in flight makes room and releases this one.
            auto done = [this, h = std::move(h), n](beast::error_code ec) mutable {
                completeLater(std::move(h), ec, ec ? 0 : n);
            };
            st.blocked = std::make_unique<Waiter<decltype(done)>>(std::move(done));
            return;
        }
        completeLater(std::move(h), {}, n);
    }

    void startFlush()
    {
        auto st = m_state;
        st->flushing = true;
        st->sending.swap(st->pending);
        st->pending.clear();
        ++st->flushCount;
        net::async_write(
            m_next, net::buffer(st->sending),
            [this, st, owner = m_owner.lock()](beast::error_code ec, std::size_t) { onFlushed(st, ec); });
    }

    void onFlushed(const std::shared_ptr<State> &st, beast::error_code ec)
    {
        st->flushing = false;
        if (!st->alive)
            return; // the stream is gone (an owner-less stream, its connection closed): nothing to tell
        // The buffer just written is free again; a large one is given back.
        st->sending.clear();
        if (st->sending.capacity() > kKeepCapacity)
            st->sending.shrink_to_fit();
        if (ec) {
            st->error = ec;
            st->pending.clear();
            st->pending.shrink_to_fit();
        } else if (!st->pending.empty() && (!st->corked || st->pending.size() >= kCorkLimit || st->flushed)) {
            startFlush();
        }
        if (st->blocked && (st->error || st->pending.size() < kMaxPending))
            std::exchange(st->blocked, nullptr)->complete(st->error);
        if (st->flushed && (st->error || (!st->flushing && st->pending.empty())))
            std::exchange(st->flushed, nullptr)->complete(st->error);
    }

    NextLayer m_next;
    std::shared_ptr<State> m_state;
    std::weak_ptr<void> m_owner;
};

// The closing handshake's teardown (after the close frame): first the buffered frames, the close
// frame among them, then the connection's own teardown.
template <class NextLayer, class TeardownHandler>
void async_teardown(beast::role_type role, CorkStream<NextLayer> &stream, TeardownHandler &&handler)
{
    stream.whenFlushed(
        [role, &stream, h = std::forward<TeardownHandler>(handler)](beast::error_code ec) mutable {
            if (ec) {
                auto ex = net::get_associated_executor(h, stream.get_executor());
                net::post(ex, beast::bind_front_handler(std::move(h), ec));
                return;
            }
            using boost::beast::websocket::async_teardown;
            async_teardown(role, stream.next_layer(), std::move(h));
        });
}

template <class NextLayer>
void teardown(beast::role_type role, CorkStream<NextLayer> &stream, beast::error_code &ec)
{
    // Synchronous closes are not used by the gateway; what is buffered is dropped.
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

} // namespace hchat::server
