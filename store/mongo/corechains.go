package mongo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"

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
}

type chainMemberDoc struct {
	UserID int64     `bson:"user_id"`
	At     time.Time `bson:"at"`
}

func (d chainDoc) chain() groups.Chain {
	c := groups.Chain{ID: d.ID, Scope: d.Scope, Title: d.Title, By: d.By, CreatedAt: d.CreatedAt.UTC(), ChatID: d.ChatID, MessageID: d.MessageID}
	for _, m := range d.Members {
		c.Members = append(c.Members, groups.ChainMember{UserID: m.UserID, At: m.At.UTC()})
	}
	slices.SortFunc(c.Members, func(a, b groups.ChainMember) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.UserID, b.UserID))
	})
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

// JoinChain adds the user to the chain once.
func (db *DB) JoinChain(ctx context.Context, id, userID int64, at time.Time) (groups.Chain, bool, error) {
	k := "members.u" + strconv.FormatInt(userID, 10)
	added, err := db.update(ctx, db.coreChains, bson.M{"_id": id, k: bson.M{"$exists": false}},
		bson.M{"$set": bson.M{k: chainMemberDoc{UserID: userID, At: ms(at)}}})
	if err != nil {
		return groups.Chain{}, false, fmt.Errorf("join chain %d: %w", id, err)
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
