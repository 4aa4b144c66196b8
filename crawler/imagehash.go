package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/bits"
	"strconv"
)

// maxImagePixels bounds the pixels of an image that is decoded: a small
// file can declare a huge canvas (a decompression bomb).
const maxImagePixels = 40_000_000

// errNotImage is returned for bytes that are no JPEG, PNG or GIF.
var errNotImage = errors.New("not a JPEG, PNG or GIF image")

// imageCodec picks the decoder by the file's magic bytes. The decoders are
// called directly, not registered with image.RegisterFormat, so that no
// other package's registrations change what the crawler accepts.
func imageCodec(b []byte) (decode func([]byte) (image.Image, error), config func([]byte) (image.Config, error)) {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) },
			func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) },
			func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) },
			func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) }
	}
	return nil, nil
}

// ImageHash decodes a JPEG, PNG or GIF (its first frame) and returns its
// difference hash (dHash): 64 bits as 16 hex digits. The image is reduced
// to 9×8 grey cells by averaging, and each bit says whether a cell is
// brighter than its right neighbour; resizing, recompression and small
// edits change few bits, so near-duplicates are within a small Hamming
// distance (see HashDistance; 10 or less is a good match).
func ImageHash(data []byte) (string, error) {
	decode, config := imageCodec(data)
	if decode == nil {
		return "", errNotImage
	}
	cfg, err := config(data)
	if err != nil {
		return "", fmt.Errorf("image header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return "", fmt.Errorf("image of %d×%d pixels: outside 1 to %d pixels", cfg.Width, cfg.Height, maxImagePixels)
	}
	img, err := decode(data)
	if err != nil {
		return "", fmt.Errorf("decode image: %w", err)
	}
	return dHash(img), nil
}

// dHash computes the difference hash of img.
func dHash(img image.Image) string {
	const w, h = 9, 8
	var sum [h][w]float64
	var count [h][w]float64
	b := img.Bounds()
	dx, dy := b.Dx(), b.Dy()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		cy := (y - b.Min.Y) * h / dy
		for x := b.Min.X; x < b.Max.X; x++ {
			cx := (x - b.Min.X) * w / dx
			sum[cy][cx] += luma(img, x, y)
			count[cy][cx]++
		}
	}
	var cell [h][w]float64
	for y := range h {
		for x := range w {
			if count[y][x] > 0 {
				cell[y][x] = sum[y][x] / count[y][x]
			} else if x > 0 {
				cell[y][x] = cell[y][x-1] // an image narrower than 9 pixels
			}
		}
	}
	var bitsOut uint64
	for y := range h {
		for x := range w - 1 {
			bitsOut <<= 1
			if cell[y][x] > cell[y][x+1] {
				bitsOut |= 1
			}
		}
	}
	return fmt.Sprintf("%016x", bitsOut)
}

// luma is the grey value of one pixel, with fast paths for the common
// decoded types.
func luma(img image.Image, x, y int) float64 {
	switch m := img.(type) {
	case *image.YCbCr:
		return float64(m.Y[m.YOffset(x, y)])
	case *image.Gray:
		return float64(m.Pix[m.PixOffset(x, y)])
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		return (299*float64(m.Pix[i]) + 587*float64(m.Pix[i+1]) + 114*float64(m.Pix[i+2])) / 1000
	case *image.RGBA:
		i := m.PixOffset(x, y)
		return (299*float64(m.Pix[i]) + 587*float64(m.Pix[i+1]) + 114*float64(m.Pix[i+2])) / 1000
	}
	g := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
	return float64(g.Y)
}

// HashDistance is the number of bits in which two image hashes differ, or
// -1 if either is not a hash from ImageHash.
func HashDistance(a, b string) int {
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil || len(a) != 16 || len(b) != 16 {
		return -1
	}
	return bits.OnesCount64(x ^ y)
}
