/// glibc's allocator tuning (mallopt).
#if defined(__linux__)
#include <malloc.h>
#endif
