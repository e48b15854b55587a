package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// readRetryDelays are the pauses before the second and third try of a read that failed transiently.
var readRetryDelays = []time.Duration{20 * time.Millisecond, 100 * time.Millisecond}

// retryRead runs read, and again after a short pause while it fails transiently (see transient) and
// ctx is alive. Only reads go through it: running one twice changes nothing.
func retryRead(ctx context.Context, read func() error) error {
	err := read()
	for _, d := range readRetryDelays {
		if !transient(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		err = read()
	}
	return err
}

// findAll runs a find on col and returns every document decoded as D and converted by conv; what
// names the query in errors.
func findAll[D, T any](ctx context.Context, col *mongo.Collection, what string, filter any,
	opts *options.FindOptionsBuilder, conv func(D) T) ([]T, error) {
	var docs []D
	err := retryRead(ctx, func() error {
		docs = nil
		cur, err := col.Find(ctx, filter, opts)
		if err != nil {
			return err
		}
		return cur.All(ctx, &docs)
	})
	if err != nil {
		return nil, wrap(what, err)
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		out[i] = conv(d)
	}
	return out, nil
}

// findAllOpen is findAll for a conversion that can fail, such as opening sealed fields: the first
// failure is the answer.
func findAllOpen[D, T any](ctx context.Context, col *mongo.Collection, what string, filter any,
	opts *options.FindOptionsBuilder, open func(D) (T, error)) ([]T, error) {
	docs, err := findAll(ctx, col, what, filter, opts, func(d D) D { return d })
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		v, err := open(d)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// findOne decodes the first document matching filter as D; when there is none it returns notFound.
func findOne[D any](ctx context.Context, col *mongo.Collection, what string, filter any, notFound error,
	opts ...options.Lister[options.FindOneOptions]) (D, error) {
	var d D
	err := retryRead(ctx, func() error { return col.FindOne(ctx, filter, opts...).Decode(&d) })
	if errors.Is(classify(err), errNoDocument) {
		return d, notFound
	}
	return d, wrap(what, err)
}

// fewKeys is how many values findIn looks up one by one instead of with $in.
const fewKeys = 16

// findIn returns the documents whose field is one of values. FerretDB hands an equality to PostgreSQL
// (for _id, its index answers) but evaluates $in itself over the whole collection, so a few values are
// looked up one by one and many with one $in; on MongoDB both use the index.
func findIn[D, T any](ctx context.Context, col *mongo.Collection, what, field string, values []string,
	opts *options.FindOptionsBuilder, conv func(D) T) ([]T, error) {
	if len(values) > fewKeys {
		return findAll(ctx, col, what, bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: values}}}}, opts, conv)
	}
	var out []T
	for _, v := range values {
		found, err := findAll(ctx, col, what, bson.D{{Key: field, Value: v}}, opts, conv)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}
