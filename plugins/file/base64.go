package file

import "encoding/binary"

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// encodedLen is the length of the padded standard base64 of n bytes.
func encodedLen(n int) int { return (n + 2) / 3 * 4 }

// b64Pairs maps 12 bits to their two base64 characters (first one in the
// low byte), so that the encoder does one lookup per 12 bits instead of
// one per 6. Built once; never written after.
var b64Pairs = func() (t [1 << 12]uint16) {
	for i := range t {
		t[i] = uint16(b64Alphabet[i>>6]) | uint16(b64Alphabet[i&0x3f])<<8
	}
	return t
}()

// encodeInPlace writes the padded standard base64 of b[src:src+n] to b at
// dst and returns the end of what it wrote. The regions may overlap as long
// as src-dst >= (n+2)/3: each group's 4 output bytes then never reach
// source bytes not yet read. That lets a read land directly in the buffer
// that becomes the JSON result.
//
// While the gap allows it, 6 input bytes (one 8-byte load) become 8 output
// bytes (one 8-byte store) through b64Pairs: about twice as fast as a group
// of 3 at a time, which finishes the job.
func encodeInPlace(b []byte, dst, src, n int) int {
	full := n - n%3
	s, d := src, dst
	end := src + full
	// The store of 8 bytes at d must stay below the next unread byte, s+6,
	// and the load of 8 bytes at s inside b.
	for s+6 <= end && s+8 <= len(b) && s-d >= 2 {
		v := binary.BigEndian.Uint64(b[s:])
		binary.LittleEndian.PutUint64(b[d:],
			uint64(b64Pairs[v>>52&0xfff])|
				uint64(b64Pairs[v>>40&0xfff])<<16|
				uint64(b64Pairs[v>>28&0xfff])<<32|
				uint64(b64Pairs[v>>16&0xfff])<<48)
		s, d = s+6, d+8
	}
	for ; s < end; s, d = s+3, d+4 {
		in := b[s : s+3 : s+3]
		v := uint(in[0])<<16 | uint(in[1])<<8 | uint(in[2])
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2] = b64Alphabet[v>>6&0x3f]
		out[3] = b64Alphabet[v&0x3f]
	}
	switch n - full {
	case 1:
		v := uint(b[s]) << 16
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2], out[3] = '=', '='
		d += 4
	case 2:
		v := uint(b[s])<<16 | uint(b[s+1])<<8
		out := b[d : d+4 : d+4]
		out[0] = b64Alphabet[v>>18&0x3f]
		out[1] = b64Alphabet[v>>12&0x3f]
		out[2] = b64Alphabet[v>>6&0x3f]
		out[3] = '='
		d += 4
	}
	return d
}
