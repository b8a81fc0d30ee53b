package proxy

import "github.com/dlpgate/dlpgate/metrics"

// met is the metrics hook (never nil).
func (s *Server) met() metrics.Observer { return metrics.Or(s.opts.Metrics) }

// HeldInMemory returns the bytes of request bodies held in memory now.
func (s *Server) HeldInMemory() int64 { return s.inMem.Used() }
