package mongostore

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// findAll runs a find on col and returns every document decoded as D and converted by conv; what
// names the query in errors.
func findAll[D, T any](ctx context.Context, col *mongo.Collection, what string, filter any,
	opts *options.FindOptionsBuilder, conv func(D) T) ([]T, error) {
	cur, err := col.Find(ctx, filter, opts)
	if err != nil {
		return nil, wrap(what, err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(what, err)
	}
	out := make([]T, len(docs))
	for i, d := range docs {
		out[i] = conv(d)
	}
	return out, nil
}

// findOne decodes the first document matching filter as D; when there is none it returns notFound.
func findOne[D any](ctx context.Context, col *mongo.Collection, what string, filter any, notFound error,
	opts ...options.Lister[options.FindOneOptions]) (D, error) {
	var d D
	err := col.FindOne(ctx, filter, opts...).Decode(&d)
	if errors.Is(classify(err), errNoDocument) {
		return d, notFound
	}
	return d, wrap(what, err)
}
