package mongo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// chainDoc is a chain with its members in one document, keyed
// "u<user id>", so that joining twice is one conditional update.
type chainDoc struct {
	ID        int64                     `bson:"_id"`
	Scope     string                    `bson:"scope"`
	Title     string                    `bson:"title"`
	By        int64                     `bson:"by"`
	CreatedAt time.Time                 `bson:"created_at"`
	ChatID    int64                     `bson:"chat_id"`
	MessageID int                       `bson:"message_id"`
	Members   map[string]chainMemberDoc `bson:"members"`
	Joins     int64                     `bson:"joins"` // the last member's place
}

// chainMemberDoc is one name on a chain; N is its place, so that names
// given in the same millisecond keep the order they came in.
type chainMemberDoc struct {
	UserID int64     `bson:"user_id"`
	At     time.Time `bson:"at"`
	N      int64     `bson:"n"`
}

func (d chainDoc) chain() groups.Chain {
	c := groups.Chain{ID: d.ID, Scope: d.Scope, Title: d.Title, By: d.By, CreatedAt: d.CreatedAt.UTC(), ChatID: d.ChatID, MessageID: d.MessageID}
	list := make([]chainMemberDoc, 0, len(d.Members))
	for _, m := range d.Members {
		list = append(list, m)
	}
	slices.SortFunc(list, func(a, b chainMemberDoc) int {
		return cmp.Or(cmp.Compare(a.N, b.N), a.At.Compare(b.At), cmp.Compare(a.UserID, b.UserID))
	})
	for _, m := range list {
		c.Members = append(c.Members, groups.ChainMember{UserID: m.UserID, At: m.At.UTC()})
	}
	return c
}

// AddChain stores a chain with the next id.
func (db *DB) AddChain(ctx context.Context, c groups.Chain) (groups.Chain, error) {
	id, err := db.next(ctx, "core_chain")
	if err != nil {
		return c, err
	}
	c.ID = id
	d := chainDoc{ID: id, Scope: c.Scope, Title: c.Title, By: c.By, CreatedAt: ms(c.CreatedAt), Members: map[string]chainMemberDoc{}}
	if err := db.insert(ctx, db.coreChains, d); err != nil {
		return c, fmt.Errorf("add chain %q: %w", c.Title, err)
	}
	return c, nil
}

// Chain returns a chain with its members in the order they joined.
func (db *DB) Chain(ctx context.Context, id int64) (groups.Chain, error) {
	var d chainDoc
	if err := findOne(ctx, db.coreChains, bson.M{"_id": id}, &d); err != nil {
		return groups.Chain{}, fmt.Errorf("chain %d: %w", id, notFound(err))
	}
	return d.chain(), nil
}

// JoinChain adds the user to the chain once. The place is taken first
// (the chain's counter), then the name is set under it; a crash between the
// two leaves a gap in the places, never a name twice.
func (db *DB) JoinChain(ctx context.Context, id, userID int64, at time.Time) (groups.Chain, bool, error) {
	k := "members.u" + strconv.FormatInt(userID, 10)
	var d chainDoc
	err := db.modify(ctx, db.coreChains, bson.M{"_id": id, k: bson.M{"$exists": false}}, bson.M{"$inc": bson.M{"joins": 1}}, &d, nil)
	added := false
	switch {
	case errors.Is(err, mongo.ErrNoDocuments): // no such chain, or on it already
	case err != nil:
		return groups.Chain{}, false, fmt.Errorf("join chain %d: %w", id, err)
	default:
		added, err = db.update(ctx, db.coreChains, bson.M{"_id": id, k: bson.M{"$exists": false}},
			bson.M{"$set": bson.M{k: chainMemberDoc{UserID: userID, At: ms(at), N: d.Joins}}})
		if err != nil {
			return groups.Chain{}, false, fmt.Errorf("join chain %d: %w", id, err)
		}
	}
	c, err := db.Chain(ctx, id)
	return c, added, err
}

// SetChainMessage records where the chain's message was posted.
func (db *DB) SetChainMessage(ctx context.Context, id, chatID int64, messageID int) error {
	found, err := db.update(ctx, db.coreChains, bson.M{"_id": id}, bson.M{"$set": bson.M{"chat_id": chatID, "message_id": messageID}})
	if err == nil && !found {
		err = shequn.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("chain %d message: %w", id, err)
	}
	return nil
}

var _ groups.ChainStore = (*DB)(nil)
