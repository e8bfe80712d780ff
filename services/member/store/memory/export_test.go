package memory

// IndexLens returns how many organisations are filed in the whole-table index
// and under each capability (for tests: an entry left in an index it no
// longer belongs in is invisible in pages, which check every filter anyway).
func IndexLens(s *Store) (all int, caps map[string]int) {
	s.ensureIndexed()
	s.mu.RLock()
	defer s.mu.RUnlock()
	caps = map[string]int{}
	for v, ix := range s.byFilter[byCapability] {
		caps[v] = ix.Len()
	}
	return s.all.Len(), caps
}
