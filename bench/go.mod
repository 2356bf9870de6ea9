module github.com/gohttpx/httpx/bench

go 1.25.0

require (
	github.com/go-resty/resty/v2 v2.17.2
	github.com/gohttpx/httpx v0.0.0-00010101000000-000000000000
	github.com/imroc/req/v3 v3.61.0
	github.com/valyala/fasthttp v1.74.0
)

require (
	github.com/andybalholm/brotli v1.2.8 // indirect
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/icholy/digest v1.2.0 // indirect
	github.com/klauspost/compress v1.20.0 // indirect
	github.com/molecule-man/go-brrr v1.0.1 // indirect
	github.com/quic-go/qpack v0.6.0 // indirect
	github.com/quic-go/quic-go v0.61.0 // indirect
	github.com/refraction-networking/utls v1.8.2 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/net v0.58.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace github.com/gohttpx/httpx => ../
