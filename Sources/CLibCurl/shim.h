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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/// Whether an IPv4 address (host byte order) is one a carrier cannot be: loopback, private, link-local,
/// carrier-grade NAT, unspecified, multicast, reserved or broadcast.
static inline int CLibCurl_ipv4_is_internal(uint32_t a) {
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xA9FE /* 169.254/16 */
        || (a >> 20) == 0xAC1 /* 172.16/12 */ || (a >> 16) == 0xC0A8 /* 192.168/16 */
        || (a >> 22) == 0x191 /* 100.64/10 */ || (a >> 24) >= 224 /* multicast, reserved, broadcast */
        || (a >> 8) == 0xC00000 /* 192.0.0/24 */ || (a >> 17) == 0x6309 /* 198.18/15 */;
}

/// Whether a socket address is internal (see above); IPv6 loopback, unspecified, unique-local, link-local,
/// multicast and IPv4-mapped internal addresses included.
static inline int CLibCurl_address_is_internal(const struct sockaddr *address) {
    if (address->sa_family == AF_INET) {
        return CLibCurl_ipv4_is_internal(ntohl(((const struct sockaddr_in *)address)->sin_addr.s_addr));
    }
    if (address->sa_family == AF_INET6) {
        const unsigned char *b = ((const struct sockaddr_in6 *)address)->sin6_addr.s6_addr;
        static const unsigned char zero[16] = { 0 };
        static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
        if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return 1;  /* :: and ::1 */
        if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0) {          /* ::ffff:a.b.c.d, ::a.b.c.d */
            uint32_t v4 = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15];
            return CLibCurl_ipv4_is_internal(v4);
        }
        if ((b[0] & 0xFE) == 0xFC) return 1;                 /* fc00::/7 unique local */
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return 1; /* fe80::/10 link-local */
        if (b[0] == 0xFF) return 1;                           /* multicast */
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return 1; /* documentation */
        return 0;
    }
    return 1;  /* no other family is a carrier */
}

/// What the open-socket callback needs: whether internal addresses are allowed, and where it notes a refusal.
typedef struct {
    int allow_internal;
    int refused;
} CLibCurl_address_policy;

/// CURLOPT_OPENSOCKETFUNCTION: refuses internal addresses unless allowed. Runs for every address libcurl connects
/// to, after its own name resolution, so a host name that resolves to an internal address is refused too.
static inline curl_socket_t CLibCurl_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address) {
    CLibCurl_address_policy *policy = (CLibCurl_address_policy *)clientp;
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    if (!policy->allow_internal && CLibCurl_address_is_internal(&address->addr)) {
        policy->refused = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/// Installs the open-socket callback with `policy` (owned by the caller, alive as long as the handle).
static inline CURLcode CLibCurl_install_address_policy(CURL *h, CLibCurl_address_policy *policy) {
    CURLcode code = curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, CLibCurl_open_socket);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, policy);
}

/// The lower-cased host of `url` as libcurl parses it, into `out` (NUL-terminated); 0 on success, -1 when the URL
/// has no host or does not parse, or the host does not fit.
static inline int CLibCurl_url_host(const char *url, char *out, size_t size) {
    CURLU *parsed = curl_url();
    if (!parsed) return -1;
    int result = -1;
    char *host = NULL;
    if (curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK
        && curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && strlen(host) < size) {
        size_t i = 0;
        for (; host[i]; i++) out[i] = (host[i] >= 'A' && host[i] <= 'Z') ? host[i] + 32 : host[i];
        out[i] = 0;
        result = 0;
    }
    curl_free(host);
    curl_url_cleanup(parsed);
    return result;
}
