// Package mongo is the persistent notification read model on MongoDB
// (go.mongodb.org/mongo-driver/v2). BSON documents live only here. Every
// document keeps "v", the stream sequence of the last event applied to it,
// and every write is conditional on it: re-applying an event (a redelivery, a
// restart between the write and the checkpoint) changes nothing, so the store
// is idempotent by stream sequence without transactions.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/consortia-dev/consortia/services/notification/domain"
	"github.com/consortia-dev/consortia/services/notification/store"
	"github.com/consortia-dev/consortia/services/platform/domainerr"
)

// Store implements store.Store on one database.
type Store struct {
	meta, recipients, endpoints, inbox, deliveries, digest *mongo.Collection
}

var _ store.Store = (*Store)(nil)

// Open returns the store on db and creates its indexes.
func Open(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{meta: db.Collection("meta"), recipients: db.Collection("recipients"), endpoints: db.Collection("endpoints"),
		inbox: db.Collection("inbox"), deliveries: db.Collection("deliveries"), digest: db.Collection("digest")}
	idx := []struct {
		c    *mongo.Collection
		keys bson.D
	}{
		{s.recipients, bson.D{{Key: "org", Value: 1}}},
		{s.endpoints, bson.D{{Key: "org", Value: 1}, {Key: "created", Value: 1}}},
		{s.inbox, bson.D{{Key: "org", Value: 1}, {Key: "state", Value: 1}, {Key: "seq", Value: -1}}},
		{s.deliveries, bson.D{{Key: "org", Value: 1}, {Key: "seq", Value: -1}}},
		{s.digest, bson.D{{Key: "user", Value: 1}, {Key: "sent", Value: 1}, {Key: "seq", Value: 1}}},
	}
	for _, i := range idx {
		if _, err := i.c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: i.keys}); err != nil {
			return nil, fmt.Errorf("notification read model: index on %s: %w", i.c.Name(), err)
		}
	}
	return s, nil
}

// Documents.

type typePrefDoc struct {
	Type    int  `bson:"type"`
	Email   bool `bson:"email"`
	Webhook bool `bson:"webhook"`
	Mode    int  `bson:"mode"`
}

type quietDoc struct {
	Start int    `bson:"start"`
	End   int    `bson:"end"`
	TZ    string `bson:"tz"`
}

type recipientDoc struct {
	ID            string        `bson:"_id"`
	V             int64         `bson:"v"`
	Org           string        `bson:"org"`
	Email         string        `bson:"email"`
	Name          string        `bson:"name"`
	TokenLanguage string        `bson:"token_language"`
	Language      string        `bson:"language"`
	Types         []typePrefDoc `bson:"types"`
	Quiet         *quietDoc     `bson:"quiet,omitempty"`
	DigestMinute  int           `bson:"digest_minute"`
	Version       int64         `bson:"version"`
}

type endpointDoc struct {
	ID              string    `bson:"_id"`
	V               int64     `bson:"v"`
	Org             string    `bson:"org"`
	URL             string    `bson:"url"`
	Description     string    `bson:"description"`
	Types           []int     `bson:"types"`
	Enabled         bool      `bson:"enabled"`
	Deleted         bool      `bson:"deleted"`
	Secret          string    `bson:"secret"`
	PreviousSecret  string    `bson:"previous_secret"`
	PreviousExpires time.Time `bson:"previous_expires"`
	Created         time.Time `bson:"created"`
	Version         int64     `bson:"version"`
}

type inboxDoc struct {
	ID        string            `bson:"_id"`
	V         int64             `bson:"v"`
	Org       string            `bson:"org"`
	Type      int               `bson:"type"`
	MessageID string            `bson:"message_id"`
	Args      map[string]string `bson:"args"`
	Link      string            `bson:"link"`
	State     int               `bson:"state"`
	Created   time.Time         `bson:"created"`
	Seq       int64             `bson:"seq"`
}

type deliveryDoc struct {
	ID          string    `bson:"_id"`
	V           int64     `bson:"v"`
	Channel     int       `bson:"channel"`
	Org         string    `bson:"org"`
	Endpoint    string    `bson:"endpoint"`
	User        string    `bson:"user"`
	Email       string    `bson:"email"`
	Type        int       `bson:"type"`
	Status      int       `bson:"status"`
	Attempts    int       `bson:"attempts"`
	LastError   string    `bson:"last_error"`
	LastHTTP    int       `bson:"last_http"`
	NextAttempt time.Time `bson:"next_attempt"`
	Created     time.Time `bson:"created"`
	Finished    time.Time `bson:"finished"`
	Resends     int       `bson:"resends"`
	Seq         int64     `bson:"seq"`
}

type digestDoc struct {
	ID        string            `bson:"_id"`
	V         int64             `bson:"v"`
	User      string            `bson:"user"`
	Type      int               `bson:"type"`
	MessageID string            `bson:"message_id"`
	Args      map[string]string `bson:"args"`
	Link      string            `bson:"link"`
	Created   time.Time         `bson:"created"`
	Sent      bool              `bson:"sent"`
	Seq       int64             `bson:"seq"`
}

// Writes.

// guarded upserts doc under id unless the stored one has applied seq already.
func (s *Store) guarded(ctx context.Context, c *mongo.Collection, id string, seq uint64, doc any) error {
	_, err := c.ReplaceOne(ctx, bson.M{"_id": id, "v": bson.M{"$lt": int64(seq)}}, doc, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		err = nil // the stored document is at seq or later
	}
	if err != nil {
		return fmt.Errorf("notification read model: write %s/%s: %w", c.Name(), id, err)
	}
	return s.advance(ctx, seq)
}

func (s *Store) advance(ctx context.Context, seq uint64) error {
	_, err := s.meta.UpdateOne(ctx, bson.M{"_id": "checkpoint", "seq": bson.M{"$lt": int64(seq)}}, bson.M{"$set": bson.M{"seq": int64(seq)}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("notification read model: checkpoint: %w", err)
	}
	return nil
}

// Checkpoint implements store.Store.
func (s *Store) Checkpoint(ctx context.Context) (uint64, error) {
	var d struct {
		Seq int64 `bson:"seq"`
	}
	err := s.meta.FindOne(ctx, bson.M{"_id": "checkpoint"}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("notification read model: checkpoint: %w", err)
	}
	return uint64(d.Seq), nil
}

func notFound(what, id string) error { return fmt.Errorf("%s %q: %w", what, id, domainerr.ErrNotFound) }

func findOne[T any](ctx context.Context, c *mongo.Collection, filter bson.M, what, id string) (T, error) {
	var d T
	err := c.FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, notFound(what, id)
	}
	if err != nil {
		return d, fmt.Errorf("notification read model: %s %s: %w", what, id, err)
	}
	return d, nil
}

func findAll[T any](ctx context.Context, c *mongo.Collection, filter bson.M, opts *options.FindOptionsBuilder) ([]T, error) {
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("notification read model: find in %s: %w", c.Name(), err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("notification read model: read %s: %w", c.Name(), err)
	}
	return out, nil
}

// Recipients.

func recipientToDoc(p domain.Preferences, seq uint64) recipientDoc {
	d := recipientDoc{ID: p.UserID, V: int64(seq), Org: p.OrganizationID, Email: p.Email, Name: p.Name, TokenLanguage: p.TokenLanguage,
		Language: p.Language, DigestMinute: p.DigestMinute, Version: int64(p.Version), Types: []typePrefDoc{}}
	for _, tp := range p.Types {
		d.Types = append(d.Types, typePrefDoc{Type: int(tp.Type), Email: tp.Email, Webhook: tp.Webhook, Mode: int(tp.Mode)})
	}
	if q := p.Quiet; q != nil {
		d.Quiet = &quietDoc{Start: q.StartMinute, End: q.EndMinute, TZ: q.TimeZone}
	}
	return d
}

func (d recipientDoc) domain() domain.Preferences {
	p := domain.Preferences{UserID: d.ID, OrganizationID: d.Org, Email: d.Email, Name: d.Name, TokenLanguage: d.TokenLanguage,
		Language: d.Language, DigestMinute: d.DigestMinute, Version: uint64(d.Version)}
	for _, tp := range d.Types {
		p.Types = append(p.Types, domain.TypePreference{Type: domain.Type(tp.Type), Email: tp.Email, Webhook: tp.Webhook, Mode: domain.Mode(tp.Mode)})
	}
	if q := d.Quiet; q != nil {
		p.Quiet = &domain.QuietHours{StartMinute: q.Start, EndMinute: q.End, TimeZone: q.TZ}
	}
	return p
}

// GetRecipient implements store.Store.
func (s *Store) GetRecipient(ctx context.Context, userID string) (domain.Preferences, error) {
	d, err := findOne[recipientDoc](ctx, s.recipients, bson.M{"_id": userID}, "recipient", userID)
	return d.domain(), err
}

// PutRecipient implements store.Store.
func (s *Store) PutRecipient(ctx context.Context, p domain.Preferences, seq uint64) error {
	return s.guarded(ctx, s.recipients, p.UserID, seq, recipientToDoc(p, seq))
}

// ListRecipients implements store.Store.
func (s *Store) ListRecipients(ctx context.Context, org string) ([]domain.Preferences, error) {
	ds, err := findAll[recipientDoc](ctx, s.recipients, bson.M{"org": org}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	out := make([]domain.Preferences, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.domain())
	}
	return out, err
}

// Endpoints.

func (d endpointDoc) domain() domain.Endpoint {
	e := domain.Endpoint{ID: d.ID, OrganizationID: d.Org, URL: d.URL, Description: d.Description, Enabled: d.Enabled, Deleted: d.Deleted,
		Secret: d.Secret, PreviousSecret: d.PreviousSecret, PreviousExpires: d.PreviousExpires, Created: d.Created, Version: uint64(d.Version)}
	for _, t := range d.Types {
		e.Types = append(e.Types, domain.Type(t))
	}
	return e
}

// GetEndpoint implements store.Store.
func (s *Store) GetEndpoint(ctx context.Context, id string) (domain.Endpoint, error) {
	d, err := findOne[endpointDoc](ctx, s.endpoints, bson.M{"_id": id}, "webhook endpoint", id)
	return d.domain(), err
}

// PutEndpoint implements store.Store.
func (s *Store) PutEndpoint(ctx context.Context, e domain.Endpoint, seq uint64) error {
	d := endpointDoc{ID: e.ID, V: int64(seq), Org: e.OrganizationID, URL: e.URL, Description: e.Description, Enabled: e.Enabled, Deleted: e.Deleted,
		Secret: e.Secret, PreviousSecret: e.PreviousSecret, PreviousExpires: e.PreviousExpires, Created: e.Created, Version: int64(e.Version), Types: []int{}}
	for _, t := range e.Types {
		d.Types = append(d.Types, int(t))
	}
	return s.guarded(ctx, s.endpoints, e.ID, seq, d)
}

// ListEndpoints implements store.Store.
func (s *Store) ListEndpoints(ctx context.Context, org string) ([]domain.Endpoint, error) {
	ds, err := findAll[endpointDoc](ctx, s.endpoints, bson.M{"org": org, "deleted": false}, options.Find().SetSort(bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}))
	out := make([]domain.Endpoint, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.domain())
	}
	return out, err
}

// Inbox.

func (d inboxDoc) domain() domain.InboxItem {
	return domain.InboxItem{ID: d.ID, OrganizationID: d.Org, Type: domain.Type(d.Type), MessageID: d.MessageID, Args: d.Args, Link: d.Link,
		State: domain.InboxState(d.State), Created: d.Created, Sequence: uint64(d.Seq)}
}

// AddInboxItem implements store.Store.
func (s *Store) AddInboxItem(ctx context.Context, it domain.InboxItem, seq uint64) (bool, error) {
	d := inboxDoc{ID: it.ID, V: int64(seq), Org: it.OrganizationID, Type: int(it.Type), MessageID: it.MessageID, Args: it.Args, Link: it.Link,
		State: int(it.State), Created: it.Created, Seq: int64(it.Sequence)}
	if d.Args == nil {
		d.Args = map[string]string{}
	}
	res, err := s.inbox.UpdateOne(ctx, bson.M{"_id": it.ID}, bson.M{"$setOnInsert": d}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return false, s.advance(ctx, seq)
	}
	if err != nil {
		return false, fmt.Errorf("notification read model: add inbox item %s: %w", it.ID, err)
	}
	return res.UpsertedCount == 1, s.advance(ctx, seq)
}

// GetInboxItem implements store.Store.
func (s *Store) GetInboxItem(ctx context.Context, org, id string) (domain.InboxItem, error) {
	d, err := findOne[inboxDoc](ctx, s.inbox, bson.M{"_id": id, "org": org}, "inbox item", id)
	return d.domain(), err
}

// SetInboxState implements store.Store.
func (s *Store) SetInboxState(ctx context.Context, org, id string, state domain.InboxState, seq uint64) error {
	if _, err := s.inbox.UpdateOne(ctx, bson.M{"_id": id, "org": org, "v": bson.M{"$lt": int64(seq)}}, bson.M{"$set": bson.M{"state": int(state), "v": int64(seq)}}); err != nil {
		return fmt.Errorf("notification read model: inbox item %s: %w", id, err)
	}
	return s.advance(ctx, seq)
}

// MarkAllRead implements store.Store.
func (s *Store) MarkAllRead(ctx context.Context, org string, through, seq uint64) (int, error) {
	res, err := s.inbox.UpdateMany(ctx, bson.M{"org": org, "state": int(domain.InboxUnread), "seq": bson.M{"$lte": int64(through)}, "v": bson.M{"$lt": int64(seq)}},
		bson.M{"$set": bson.M{"state": int(domain.InboxRead), "v": int64(seq)}})
	if err != nil {
		return 0, fmt.Errorf("notification read model: mark all read: %w", err)
	}
	return int(res.ModifiedCount), s.advance(ctx, seq)
}

// ListInbox implements store.Store. Page tokens carry the same sort key as the
// memory store's (the complement of the intent's sequence).
func (s *Store) ListInbox(ctx context.Context, f store.InboxFilter) ([]domain.InboxItem, string, error) {
	key, err := store.DecodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	filter := bson.M{"org": f.OrganizationID}
	if f.State == domain.InboxAny {
		filter["state"] = bson.M{"$ne": int(domain.InboxArchived)}
	} else {
		filter["state"] = int(f.State)
	}
	if key != "" {
		n, err := strconv.ParseUint(key, 10, 64)
		if err != nil {
			return nil, "", store.DecodeTokenError()
		}
		filter["seq"] = bson.M{"$lt": int64(^n)}
	}
	size := store.PageSize(f.PageSize)
	ds, err := findAll[inboxDoc](ctx, s.inbox, filter, options.Find().SetSort(bson.D{{Key: "seq", Value: -1}}).SetLimit(int64(size+1)))
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ds) > size {
		ds = ds[:size]
		next = store.EncodeToken(fmt.Sprintf("%020d", ^uint64(ds[size-1].Seq)))
	}
	out := make([]domain.InboxItem, len(ds))
	for i, d := range ds {
		out[i] = d.domain()
	}
	return out, next, nil
}

// CountUnread implements store.Store.
func (s *Store) CountUnread(ctx context.Context, org string) (int, error) {
	n, err := s.inbox.CountDocuments(ctx, bson.M{"org": org, "state": int(domain.InboxUnread)})
	if err != nil {
		return 0, fmt.Errorf("notification read model: count unread: %w", err)
	}
	return int(n), nil
}

// Deliveries.

func (d deliveryDoc) domain() domain.Delivery {
	return domain.Delivery{Key: d.ID, Channel: domain.Channel(d.Channel), OrganizationID: d.Org, EndpointID: d.Endpoint, UserID: d.User, Email: d.Email,
		Type: domain.Type(d.Type), Status: domain.DeliveryStatus(d.Status), Attempts: d.Attempts, LastError: d.LastError, LastHTTPStatus: d.LastHTTP,
		NextAttempt: d.NextAttempt, Created: d.Created, Finished: d.Finished, Resends: d.Resends, Sequence: uint64(d.Seq)}
}

// PutDelivery implements store.Store.
func (s *Store) PutDelivery(ctx context.Context, x domain.Delivery, seq uint64) error {
	d := deliveryDoc{ID: x.Key, V: int64(seq), Channel: int(x.Channel), Org: x.OrganizationID, Endpoint: x.EndpointID, User: x.UserID, Email: x.Email,
		Type: int(x.Type), Status: int(x.Status), Attempts: x.Attempts, LastError: x.LastError, LastHTTP: x.LastHTTPStatus,
		NextAttempt: x.NextAttempt, Created: x.Created, Finished: x.Finished, Resends: x.Resends, Seq: int64(x.Sequence)}
	return s.guarded(ctx, s.deliveries, x.Key, seq, d)
}

// GetDelivery implements store.Store.
func (s *Store) GetDelivery(ctx context.Context, key string) (domain.Delivery, error) {
	d, err := findOne[deliveryDoc](ctx, s.deliveries, bson.M{"_id": key}, "delivery", key)
	return d.domain(), err
}

// ListDeliveries implements store.Store.
func (s *Store) ListDeliveries(ctx context.Context, f store.DeliveryFilter) ([]domain.Delivery, error) {
	filter := bson.M{"org": f.OrganizationID}
	if f.EndpointID != "" {
		filter["endpoint"] = f.EndpointID
	}
	if f.Channel != domain.ChannelUnspecified {
		filter["channel"] = int(f.Channel)
	}
	ds, err := findAll[deliveryDoc](ctx, s.deliveries, filter, options.Find().SetSort(bson.D{{Key: "seq", Value: -1}}).SetLimit(int64(store.PageSize(f.Limit))))
	out := make([]domain.Delivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.domain())
	}
	return out, err
}

// Digest items.

func (d digestDoc) domain() domain.DigestItem {
	return domain.DigestItem{Key: d.ID, UserID: d.User, Type: domain.Type(d.Type), MessageID: d.MessageID, Args: d.Args, Link: d.Link,
		Created: d.Created, Sent: d.Sent, Sequence: uint64(d.Seq)}
}

// PutDigestItem implements store.Store.
func (s *Store) PutDigestItem(ctx context.Context, it domain.DigestItem, seq uint64) error {
	d := digestDoc{ID: it.Key, V: int64(seq), User: it.UserID, Type: int(it.Type), MessageID: it.MessageID, Args: it.Args, Link: it.Link,
		Created: it.Created, Sent: it.Sent, Seq: int64(it.Sequence)}
	if d.Args == nil {
		d.Args = map[string]string{}
	}
	return s.guarded(ctx, s.digest, it.Key, seq, d)
}

// GetDigestItem implements store.Store.
func (s *Store) GetDigestItem(ctx context.Context, key string) (domain.DigestItem, error) {
	d, err := findOne[digestDoc](ctx, s.digest, bson.M{"_id": key}, "digest item", key)
	return d.domain(), err
}

// MarkDigestSent implements store.Store.
func (s *Store) MarkDigestSent(ctx context.Context, keys []string, seq uint64) error {
	if len(keys) > 0 {
		if _, err := s.digest.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": keys}, "v": bson.M{"$lt": int64(seq)}}, bson.M{"$set": bson.M{"sent": true, "v": int64(seq)}}); err != nil {
			return fmt.Errorf("notification read model: mark digest sent: %w", err)
		}
	}
	return s.advance(ctx, seq)
}

// PendingDigest implements store.Store.
func (s *Store) PendingDigest(ctx context.Context, userID string) ([]domain.DigestItem, error) {
	ds, err := findAll[digestDoc](ctx, s.digest, bson.M{"user": userID, "sent": false}, options.Find().SetSort(bson.D{{Key: "seq", Value: 1}}))
	out := make([]domain.DigestItem, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.domain())
	}
	return out, err
}
