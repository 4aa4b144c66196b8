package esindex

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// Rebuild builds the alias's index anew, for a mapping change or to
// rebuild it from the scored-ad stream, without downtime for search: it
// creates a new versioned index (alias-vN-TIMESTAMP, of this build's
// mapping), lets fill write every ad into it through the Store it is given,
// then points the alias at the new index in one atomic step and deletes the
// indices the alias pointed at before. Until the swap, searches see the old
// index. Ads written through the alias meanwhile (a running indexer) land in
// the old index and are lost with it: stop the indexers while rebuilding, or
// replay again after. On error the new index is deleted and the alias left
// as it was.
func Rebuild(ctx context.Context, opts Options, fill func(w *Store) error) (index string, err error) {
	s, err := connect(opts)
	if err != nil {
		return "", err
	}
	defer s.Close()
	sctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	if err := s.waitReady(sctx); err != nil {
		return "", err
	}
	var old map[string]any
	if err := s.do(ctx, esapi.IndicesGetAliasRequest{Name: []string{s.alias}}, &old); err != nil && !isNotFound(err) {
		return "", fmt.Errorf("look up alias %q: %w", s.alias, err)
	}
	index = fmt.Sprintf("%s-v%d-%d", s.alias, mappingVersion, time.Now().UnixMilli())
	body := obj{"settings": settings(), "mappings": mappings()}
	if err := s.do(ctx, esapi.IndicesCreateRequest{Index: index, Body: strings.NewReader(string(mustJSON(body)))}, nil); err != nil {
		return "", fmt.Errorf("create index %q: %w", index, err)
	}
	defer func() {
		if err != nil {
			_ = s.do(context.WithoutCancel(ctx), esapi.IndicesDeleteRequest{Index: []string{index}}, nil)
		}
	}()
	w := &Store{es: s.es, opts: s.opts, alias: s.alias, target: index, logger: s.logger}
	w.opts.Refresh = RefreshNone
	if err := fill(w); err != nil {
		return "", err
	}
	if err := w.refresh(ctx); err != nil {
		return "", err
	}
	actions := []obj{}
	for name := range old {
		actions = append(actions, obj{"remove": obj{"index": name, "alias": s.alias}})
	}
	actions = append(actions, obj{"add": obj{"index": index, "alias": s.alias, "is_write_index": true}})
	if err := s.do(ctx, esapi.IndicesUpdateAliasesRequest{Body: strings.NewReader(string(mustJSON(obj{"actions": actions})))}, nil); err != nil {
		return "", fmt.Errorf("point alias %q at %q: %w", s.alias, index, err)
	}
	for name := range old {
		if err := s.do(ctx, esapi.IndicesDeleteRequest{Index: []string{name}}, nil); err != nil {
			s.logger.Warn("rebuilt, but the old index could not be deleted", "index", name, "err", err)
		}
	}
	s.logger.Info("index rebuilt", "alias", s.alias, "index", index, "replaced", len(old))
	return index, nil
}

func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}
