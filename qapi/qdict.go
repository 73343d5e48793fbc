package qapi

import "slices"

// QDictBucket is the bucket QEMU's QDict puts key in (512 buckets). QEMU
// iterates buckets in order, which decides the member order of every object
// it writes and the order its dispatcher checks a request's members.
func QDictBucket(key string) uint32 {
	h := uint32(0x238F13AF) * uint32(len(key))
	for i := 0; i < len(key); i++ {
		h += uint32(key[i]) << ((uint(i) * 5) % 24)
	}
	return (1103515243*h + 12345) % 512
}

// QDictOrder returns the indexes of o's members in QDict iteration order:
// buckets ascending, and within a bucket the most recently inserted first.
func QDictOrder(o *Object) []int {
	idx := make([]int, len(o.Members))
	for i := range idx {
		idx[i] = len(idx) - 1 - i // newest first, so a stable sort keeps that within a bucket
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return int(QDictBucket(o.Members[a].Key)) - int(QDictBucket(o.Members[b].Key))
	})
	return idx
}
