package extract

import (
	"context"
	"io"
)

// extractAll is a placeholder (plain text only) until the full extractor lands.
func extractAll(ctx context.Context, in Input, lim Limits) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := make([]byte, in.Size)
	if _, err := in.Body.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	origin := in.Origin
	if origin == "" {
		origin = "body"
	}
	return &Result{Segments: []Segment{{Origin: origin, Text: string(b)}}, TextBytes: int64(len(b))}, nil
}
