// Package bigcopy appends large byte runs in pieces. The runtime's memmove
// cannot be preempted: a goroutine copying tens of megabytes in one call
// (a 64 MiB guest-file-write token, or the slice growth under it) holds up
// every garbage collection, whose workers spin and signal it until the copy
// ends. Copied 256 KiB at a time, the goroutine stops at each piece.
package bigcopy

const piece = 256 << 10

// Append is append(dst, src...), with the copy of src, and of dst when it
// must grow, done in pieces.
func Append[S ~[]byte | ~string](dst []byte, src S) []byte {
	if len(src) <= piece && cap(dst)-len(dst) >= len(src) {
		return append(dst, src...)
	}
	n := len(dst) + len(src)
	if n > cap(dst) {
		grown := make([]byte, len(dst), max(n, cap(dst)+cap(dst)/2))
		copyPieces(grown, dst)
		dst = grown
	}
	copyPieces(dst[len(dst):n], src)
	return dst[:n]
}

func copyPieces[S ~[]byte | ~string](dst []byte, src S) {
	for len(src) > 0 {
		k := copy(dst, src[:min(len(src), piece)])
		dst, src = dst[k:], src[k:]
	}
}
