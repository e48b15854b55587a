package mongostore

import (
	"context"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"hms/server/internal/seal"
)

// Rekey seals again, under the active key, every sealed value of billing sealed under another key (or
// stored in clear): charges' descriptions, reasons and void reasons; invoices' and credit notes' line
// descriptions and the notes' reasons; the ledger's payment references and refund reasons; stored
// invoice PDFs; insurance policies' member ids and claims' denial reasons (on the claims' status
// events) (`hms rekey`). Each value is replaced only if it is still the one read. It reports after
// each collection and returns how many values it re-sealed.
func (s *Billing) Rekey(ctx context.Context, progress func(collection string, scanned, resealed int)) (int, error) {
	str := func(doc bson.Raw, key string) string { v, _ := doc.Lookup(key).StringValueOK(); return v }
	total := 0
	report := func(col string, scanned, n int, err error) error {
		total += n
		if err == nil && progress != nil {
			progress(col, scanned, n)
		}
		return err
	}
	for _, c := range []struct {
		col    *mongo.Collection
		where  func(bson.Raw, string) string
		fields []string
	}{
		{s.charges, nil, []string{"description", "reason", "void.reason"}},
		{s.credits, nil, []string{"reason"}},
		{s.ledger, func(d bson.Raw, f string) string { return entryWhere(str(d, "op"), f) }, []string{"reference", "reason"}},
		{s.documents, nil, []string{"data"}},
		{s.policies, nil, []string{"member_id"}},
		{s.claimEvents, nil, []string{"reason"}},
	} {
		scanned, n, err := rekeyFields(ctx, s.gate, s.keys, c.col, c.where, c.fields...)
		if err := report(c.col.Name(), scanned, n, err); err != nil {
			return total, err
		}
	}
	for _, c := range []struct {
		col   *mongo.Collection
		where func(docID, chargeID string) string
	}{
		{s.invoices, lineWhere},
		{s.credits, func(id, c string) string { return creditWhere(id, "lines/"+c+"/description") }},
	} {
		scanned, n, err := s.rekeyLines(ctx, c.col, c.where)
		if err := report(c.col.Name()+" lines", scanned, n, err); err != nil {
			return total, err
		}
	}
	return total, nil
}

// rekeyLines re-seals the description of every line of every document of col (invoices, credit notes)
// not sealed under the active key. A line is updated by its place (lines.<i>.description) on condition
// that the value there is still the one read: a draft changed meanwhile was sealed afresh by its writer.
func (s *Billing) rekeyLines(ctx context.Context, col *mongo.Collection, where func(docID, chargeID string) string) (scanned, resealed int, err error) {
	name := col.Name()
	cur, err := col.Find(ctx, bson.D{})
	if err != nil {
		return 0, 0, wrap("rekey: read "+name, err)
	}
	defer func() { _ = cur.Close(ctx) }()
	for cur.Next(ctx) {
		scanned++
		id, _ := cur.Current.Lookup("_id").StringValueOK()
		lines, ok := cur.Current.Lookup("lines").ArrayOK()
		if !ok {
			continue
		}
		values, err := lines.Values()
		if err != nil {
			return scanned, resealed, wrap("rekey: read lines of "+name, err)
		}
		for i, l := range values {
			line, ok := l.DocumentOK()
			if !ok {
				continue
			}
			raw, lerr := line.LookupErr("description")
			if lerr != nil || raw.Type == bson.TypeNull {
				continue
			}
			var v seal.Value
			if raw.Type == bson.TypeEmbeddedDocument && raw.Unmarshal(&v) == nil && v.Key == s.keys.Active() {
				continue
			}
			chargeID, _ := line.Lookup("charge_id").StringValueOK()
			at := where(id, chargeID)
			text, err := openRaw(s.keys, raw, at)
			if err != nil {
				return scanned, resealed, err
			}
			sealed, err := sealText(s.keys, text, at)
			if err != nil {
				return scanned, resealed, err
			}
			path := "lines." + strconv.Itoa(i) + ".description"
			leave := s.gate.enter()
			res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: path, Value: raw}},
				bson.D{{Key: "$set", Value: bson.D{{Key: path, Value: sealed}}}})
			leave()
			if err != nil {
				return scanned, resealed, wrap("rekey: update "+name, err)
			}
			resealed += int(res.ModifiedCount)
		}
	}
	if err := cur.Err(); err != nil {
		return scanned, resealed, wrap("rekey: read "+name, err)
	}
	return scanned, resealed, nil
}
