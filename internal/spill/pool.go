package spill

import "sync/atomic"

// Pool bounds the memory that the bodies held by the front ends take
// together: a body is held in memory only when its bytes can be reserved
// here, else it goes to a spill file from its first byte. One Pool is
// shared by every front end of a process (the forward proxy and the ICAP
// server), so their sum stays within one configured total.
type Pool struct {
	max  int64
	used atomic.Int64
}

// NewPool returns a pool of max bytes.
func NewPool(max int64) *Pool { return &Pool{max: max} }

// Reserve takes n bytes if they fit and reports whether they did.
func (p *Pool) Reserve(n int64) bool {
	for {
		cur := p.used.Load()
		if cur+n > p.max {
			return false
		}
		if p.used.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// Release gives n reserved bytes back.
func (p *Pool) Release(n int64) { p.used.Add(-n) }

// Used is how many bytes are reserved now.
func (p *Pool) Used() int64 { return p.used.Load() }

// Max is the pool's size.
func (p *Pool) Max() int64 { return p.max }
