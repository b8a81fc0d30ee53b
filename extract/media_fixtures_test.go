package extract

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// Real media, made in code with the standard library's encoders or by
// writing the container by hand: what mediaCheck must accept.

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8(x*y + 7*x), 255})
		}
	}
	return img
}

func realPNG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func realJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func realGIF(t testing.TB) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// noise is deterministic incompressible-looking bytes (samples, pixels).
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func realWAV() []byte {
	data := noise(8000)
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func realWEBP() []byte {
	data := noise(3000)
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+len(data)))
	b.WriteString("WEBPVP8 ")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func realMP4(brand string) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(24))
	b.WriteString("ftyp" + brand + "\x00\x00\x02\x00" + "mif1" + "isom")
	data := noise(4000)
	binary.Write(&b, binary.BigEndian, uint32(8+len(data)))
	b.WriteString("mdat")
	b.Write(data)
	return b.Bytes()
}

func realOgg() []byte {
	body := append([]byte("\x01vorbis"), noise(22)...)
	page := []byte("OggS\x00\x02")
	page = append(page, make([]byte, 8)...)     // granule
	page = append(page, 1, 0, 0, 0, 0, 0, 0, 0) // serial, seq
	page = append(page, 0, 0, 0, 0)             // crc
	page = append(page, 1, byte(len(body)))
	page = append(page, body...)
	binary.LittleEndian.PutUint32(page[22:], oggCRC(page))
	return append(page, noise(2000)...)
}

func realMP3() []byte {
	// ID3v2.3 tag with a title frame, then MPEG-1 layer III 128 kbit/s
	// 44.1 kHz frames (417 bytes each).
	frame := func() []byte { f := noise(417); copy(f, "\xff\xfb\x90\x00"); return f }
	tag := []byte("TIT2\x00\x00\x00\x06\x00\x00\x00Song")
	var b bytes.Buffer
	b.WriteString("ID3\x03\x00\x00")
	b.Write([]byte{0, 0, 0, byte(len(tag))})
	b.Write(tag)
	for i := 0; i < 3; i++ {
		b.Write(frame())
	}
	return b.Bytes()
}

func realFLAC() []byte {
	si := make([]byte, 34)
	binary.BigEndian.PutUint16(si[0:], 4096)
	binary.BigEndian.PutUint16(si[2:], 4096)
	// 44100 Hz, 2 channels, 16 bits: 20 bits rate, 3 channels-1, 5 bps-1.
	v := uint64(44100)<<44 | uint64(1)<<41 | uint64(15)<<36
	binary.BigEndian.PutUint64(si[10:], v)
	b := append([]byte("fLaC\x80\x00\x00\x22"), si...)
	return append(append(b, 0xff, 0xf8), noise(1000)...)
}
