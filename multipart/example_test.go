package multipart_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/gohttpx/httpx/multipart"
)

func ExampleNew() {
	// The boundary a user put in a Content-Type header is kept.
	boundary := multipart.BoundaryFromContentType(`multipart/form-data; boundary="XYZ"`)
	body, err := multipart.New(
		[]multipart.Field{{Name: "title", Value: "report"}},
		[]multipart.File{{Field: "upload", Filename: "report.csv", Content: strings.NewReader("a,b\n1,2\n")}},
		boundary,
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Content-Type:", body.ContentType())
	fmt.Println("Content-Length:", body.Len())
	data, err := io.ReadAll(body.Reader())
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show the CRLF line endings.
	fmt.Print(strings.ReplaceAll(string(data), "\r\n", `\r\n`+"\n"))
	// Output:
	// Content-Type: multipart/form-data; boundary=XYZ
	// Content-Length: 185
	// --XYZ\r\n
	// Content-Disposition: form-data; name="title"\r\n
	// \r\n
	// report\r\n
	// --XYZ\r\n
	// Content-Disposition: form-data; name="upload"; filename="report.csv"\r\n
	// Content-Type: text/csv\r\n
	// \r\n
	// a,b
	// 1,2
	// \r\n
	// --XYZ--\r\n
}
