#include <curl/curl.h>

/// Typed wrappers: curl_easy_setopt / getinfo are variadic and unavailable from Swift.
static inline CURLcode CLibCurl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CLibCurl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CLibCurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CLibCurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CLibCurl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*CLibCurl_write_callback)(char *, size_t, size_t, void *);
static inline CURLcode CLibCurl_setopt_write_function(CURL *h, CURLoption o, CLibCurl_write_callback v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode CLibCurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode CLibCurl_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode CLibCurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/// The multi socket interface: libcurl says which sockets to watch and when to time out, the caller waits with epoll.
typedef int (*CLibCurl_socket_callback)(CURL *, curl_socket_t, int, void *, void *);
typedef int (*CLibCurl_timer_callback)(CURLM *, long, void *);
static inline CURLMcode CLibCurl_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode CLibCurl_multi_setopt_socket_function(CURLM *m, CLibCurl_socket_callback f) {
    return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f);
}
static inline CURLMcode CLibCurl_multi_setopt_timer_function(CURLM *m, CLibCurl_timer_callback f) {
    return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, f);
}

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// A non-blocking, close-on-exec eventfd (its flags are macros Swift does not see).
static inline int CLibCurl_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/// Watches `fd` for libcurl's CURL_POLL_IN/OUT/INOUT (`known`: already watched), or stops watching it for
/// CURL_POLL_REMOVE. Returns 0 or -1. In C because `struct epoll_event` is packed on x86-64.
static inline int CLibCurl_epoll_watch(int epfd, int fd, int what, int known) {
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);  /* may already be gone with its socket */
        return 0;
    }
    struct epoll_event event = { 0 };
    event.data.fd = fd;
    if (what & CURL_POLL_IN) event.events |= EPOLLIN;
    if (what & CURL_POLL_OUT) event.events |= EPOLLOUT;
    if (epoll_ctl(epfd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) == 0) return 0;
    /* libcurl may hand over a socket it watched before under another transfer: try the other operation once. */
    if (errno != ENOENT && errno != EEXIST) return -1;
    return epoll_ctl(epfd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

/// Waits up to `timeout_ms` for ready descriptors; fills `fds` and `masks` (CURL_CSELECT_IN/OUT/ERR) and returns how
/// many, 0 on timeout, -1 on error (EINTR included).
static inline int CLibCurl_epoll_wait(int epfd, int *fds, int *masks, int max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int count = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < count; i++) {
        fds[i] = events[i].data.fd;
        int mask = 0;
        if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
        masks[i] = mask;
    }
    return count;
}
