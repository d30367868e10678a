#include <zlib.h>

/// inflateInit2 is a macro in zlib.h; Swift cannot call macros.
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
