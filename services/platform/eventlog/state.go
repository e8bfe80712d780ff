package eventlog

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"sync"
)

// LoadInto is LoadMark for a caller that folds into one aggregate value: state
// is a non-nil pointer to it, and apply folds each event into *state. The log
// keeps a copy of the folded state with its version, so the next load starts
// from a copy of that and applies only the events appended since: a command's
// cost does not grow with the aggregate's history.
//
// The copies are deep (exported fields, slices, maps and pointers, by
// reflection), so the caller may change what it gets; apply must depend only
// on the state and the event, as a fold does.
func (l *Log) LoadInto(ctx context.Context, subject string, m Mark, state any, apply func(Event) error) (version, marked uint64, err error) {
	ptr := reflect.ValueOf(state)
	if ptr.Kind() != reflect.Pointer || ptr.IsNil() {
		return 0, 0, errors.New("eventlog: LoadInto needs a pointer to the state")
	}
	evs, version, err := l.aggregate(ctx, subject)
	if err != nil {
		return 0, 0, err
	}
	if m.MsgID != "" {
		if s := find(evs, m.MsgID); s != nil {
			if err := checkFingerprint(s.ev.Header, m.Fingerprint, subject, s.ev.Sequence); err != nil {
				return 0, 0, err
			}
			marked = s.ev.Sequence
		}
	}
	from := 0
	if cached, at, ok := l.cache.state(subject, ptr.Type().Elem()); ok && at <= version {
		deepCopy(ptr.Elem(), reflect.ValueOf(cached))
		from = sort.Search(len(evs), func(i int) bool { return evs[i].ev.Sequence > at })
	} else {
		ptr.Elem().Set(reflect.Zero(ptr.Type().Elem()))
	}
	for _, s := range evs[from:] {
		if s.poison != nil {
			return 0, 0, s.poisonError()
		}
		if err := apply(s.ev); err != nil {
			return 0, 0, &PoisonError{Subject: subject, Sequence: s.ev.Sequence, Type: s.ev.Type, Err: err}
		}
	}
	if from < len(evs) || from == 0 {
		keep := reflect.New(ptr.Type().Elem()).Elem()
		deepCopy(keep, ptr.Elem())
		l.cache.keepState(subject, version, keep.Interface())
	}
	return version, marked, nil
}

// state returns subject's cached folded state of type t and its version.
func (c *cache) state(subject string, t reflect.Type) (any, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[subject]
	if !ok {
		return nil, 0, false
	}
	e := el.Value.(*entry)
	if e.state == nil || reflect.TypeOf(e.state) != t {
		return nil, 0, false
	}
	return e.state, e.stateAt, true
}

// keepState caches a folded state at version, if the entry covers it.
func (c *cache) keepState(subject string, version uint64, state any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[subject]
	if !ok {
		return
	}
	e := el.Value.(*entry)
	if version > e.last || version < e.stateAt {
		return
	}
	e.state, e.stateAt = state, version
}

// deepCopy sets dst to a copy of src sharing nothing mutable with it:
// slices, maps, pointers and interfaces are copied through; unexported fields
// (such as time.Time's) are copied as values. Aggregates have no cycles.
func deepCopy(dst, src reflect.Value) {
	if !needsCopy(src.Type()) {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Struct:
		dst.Set(src)
		for i := range src.NumField() {
			if src.Type().Field(i).IsExported() && needsCopy(src.Field(i).Type()) {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(n.Index(i), src.Index(i))
		}
		dst.Set(n)
	case reflect.Array:
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		n := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			n.SetMapIndex(it.Key(), v)
		}
		dst.Set(n)
	case reflect.Pointer:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		n := reflect.New(src.Type().Elem())
		deepCopy(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Interface:
		if src.IsNil() {
			dst.Set(reflect.Zero(src.Type()))
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		deepCopy(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}

var copyKinds sync.Map // reflect.Type → bool

// needsCopy reports whether a value of type t can share memory with another.
func needsCopy(t reflect.Type) bool {
	if v, ok := copyKinds.Load(t); ok {
		return v.(bool)
	}
	var need bool
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		need = true
	case reflect.Array:
		need = needsCopy(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && needsCopy(t.Field(i).Type) {
				need = true
				break
			}
		}
	}
	copyKinds.Store(t, need)
	return need
}
