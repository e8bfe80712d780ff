package eventlog

import (
	"container/list"
	"slices"
	"sync"
)

// stored is one cached message of an aggregate: a decoded event, a poison
// event (with why it cannot be read) or a Skip marker.
type stored struct {
	ev     Event
	msgID  string   // the caller's Nats-Msg-Id ("" when the event's own id)
	poison error    // non-nil: the event cannot be decoded
	skips  []uint64 // a marker: the sequences it skips
}

func (s *stored) poisonError() error {
	return &PoisonError{Subject: s.ev.Subject, Sequence: s.ev.Sequence, Type: s.ev.Type, Err: s.poison}
}

// cache keeps the decoded events of recently loaded aggregates, each with the
// sequence of its subject's last message, so a load fetches only what was
// appended since.
//
// It is an LRU bounded by the number of events held, not by aggregates:
// aggregates range from one event to thousands, so a count of aggregates would
// bound nothing about memory. It is a few lines over container/list rather than
// a library because the common LRUs (hashicorp/golang-lru) weigh every entry
// as one. An aggregate larger than the whole bound is not cached.
//
// The event slices are append-only: a reader keeps the slice it was given
// while a later load extends the same array beyond that slice's length, which
// the reader never looks at. Anything else (a skip) builds a new slice.
type cache struct {
	mu      sync.Mutex
	max     int // events; <= 0: caching off
	size    int
	lru     *list.List // of *entry, most recent first
	entries map[string]*list.Element
}

type entry struct {
	subject string
	last    uint64 // sequence of the subject's last message covered
	events  []*stored
	// state is a caller's folded state at stateAt (LoadInto), never modified:
	// loads get deep copies of it.
	state   any
	stateAt uint64
}

func newCache(maxEvents int) *cache {
	return &cache{max: maxEvents, lru: list.New(), entries: map[string]*list.Element{}}
}

// get returns the cached events of subject and the sequence they cover (0:
// nothing cached).
func (c *cache) get(subject string) ([]*stored, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[subject]
	if !ok {
		return nil, 0
	}
	c.lru.MoveToFront(el)
	e := el.Value.(*entry)
	return e.events, e.last
}

// extend adds tail (the messages after have, up to last) to base (the events
// cached at have) and caches the result unless a newer one is cached already.
// Markers in tail remove the events they skip.
func (c *cache) extend(subject string, have uint64, base, tail []*stored, last uint64) []*stored {
	marker := slices.ContainsFunc(tail, func(s *stored) bool { return s.skips != nil })
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[subject]
	var e *entry
	if ok {
		e = el.Value.(*entry)
	}
	if !marker && e != nil && e.last == have && len(e.events) == len(base) {
		// The common case, in place: readers of base never see past its length.
		e.events = append(e.events, tail...)
		e.last = last
		c.size += len(tail)
		c.lru.MoveToFront(el)
		c.evict()
		return e.events
	}
	evs := merge(base, tail)
	if e != nil && e.last >= last {
		return evs // someone cached a newer state meanwhile
	}
	c.put(subject, evs, last)
	return evs
}

// appended records one event appended on top of version expected.
func (c *cache) appended(subject string, expected uint64, s *stored) {
	if s.skips != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[subject]
	switch {
	case ok && el.Value.(*entry).last == expected:
		e := el.Value.(*entry)
		e.events = append(e.events, s)
		e.last = s.ev.Sequence
		c.size++
		c.lru.MoveToFront(el)
		c.evict()
	case !ok && expected == 0:
		c.put(subject, []*stored{s}, s.ev.Sequence) // a new aggregate
	}
}

// expected translates an expected version into the subject's sequence: when
// the aggregate's last event is at expected and only Skip markers (or
// skipped events) follow it, the aggregate has not changed since, and
// JetStream must be told the sequence of the last of those.
func (c *cache) expected(subject string, expected uint64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[subject]
	if !ok {
		return expected
	}
	e := el.Value.(*entry)
	if n := len(e.events); n > 0 && e.events[n-1].ev.Sequence == expected && e.last > expected {
		return e.last
	}
	return expected
}

// drop forgets subject (it has no messages).
func (c *cache) drop(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[subject]; ok {
		c.remove(el)
	}
}

// put replaces subject's entry. Lock held.
func (c *cache) put(subject string, evs []*stored, last uint64) {
	if el, ok := c.entries[subject]; ok {
		c.remove(el)
	}
	if c.max <= 0 || len(evs)+1 > c.max {
		return
	}
	c.entries[subject] = c.lru.PushFront(&entry{subject: subject, last: last, events: evs})
	c.size += len(evs) + 1
	c.evict()
}

// evict drops the least recently used aggregates until the bound holds. Lock held.
func (c *cache) evict() {
	for c.size > c.max && c.lru.Len() > 0 {
		c.remove(c.lru.Back())
	}
}

func (c *cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*entry)
	delete(c.entries, e.subject)
	c.size -= len(e.events) + 1
}

// merge returns base followed by tail in a new slice, without markers and the
// events they skip.
func merge(base, tail []*stored) []*stored {
	out := make([]*stored, 0, len(base)+len(tail))
	skipped := map[uint64]bool{}
	for _, s := range tail {
		for _, q := range s.skips {
			skipped[q] = true
		}
	}
	for _, part := range [][]*stored{base, tail} {
		for _, s := range part {
			if s.skips == nil && !skipped[s.ev.Sequence] {
				out = append(out, s)
			}
		}
	}
	return out
}
