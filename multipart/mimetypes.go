package multipart

import (
	"mime"
	"strings"
)

// commonTypes maps lower-case extensions to the types Python's mimetypes
// reports for them, so that the Content-Type of common uploads is the same on
// every machine. Where Python's answer has changed between versions or
// depends on /etc/mime.types, the current registered type is used (.js is
// text/javascript, .xml text/xml as in Python's own table). Python reports no
// type for compression suffixes (it treats them as encodings); here they get
// their own types, which describe the bytes actually sent.
var commonTypes = map[string]string{
	// text
	".txt":  "text/plain",
	".htm":  "text/html",
	".html": "text/html",
	".css":  "text/css",
	".csv":  "text/csv",
	".js":   "text/javascript",
	".mjs":  "text/javascript",
	".md":   "text/markdown",
	".xml":  "text/xml",
	".ics":  "text/calendar",
	".vtt":  "text/vtt",
	".py":   "text/x-python",
	// structured data and documents
	".json":  "application/json",
	".pdf":   "application/pdf",
	".rtf":   "application/rtf",
	".wasm":  "application/wasm",
	".ps":    "application/postscript",
	".doc":   "application/msword",
	".xls":   "application/vnd.ms-excel",
	".ppt":   "application/vnd.ms-powerpoint",
	".docx":  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx":  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx":  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":   "application/vnd.oasis.opendocument.text",
	".ods":   "application/vnd.oasis.opendocument.spreadsheet",
	".epub":  "application/epub+zip",
	".bin":   "application/octet-stream",
	".eml":   "message/rfc822",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	// archives
	".zip": "application/zip",
	".tar": "application/x-tar",
	".gz":  "application/gzip",
	".tgz": "application/gzip",
	".bz2": "application/x-bzip2",
	".xz":  "application/x-xz",
	".zst": "application/zstd",
	".7z":  "application/x-7z-compressed",
	".rar": "application/vnd.rar",
	".jar": "application/java-archive",
	// images
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".svg":  "image/svg+xml",
	".webp": "image/webp",
	".avif": "image/avif",
	".bmp":  "image/bmp",
	".ico":  "image/vnd.microsoft.icon",
	".tif":  "image/tiff",
	".tiff": "image/tiff",
	".heic": "image/heic",
	// audio and video
	".mp3":  "audio/mpeg",
	".wav":  "audio/x-wav",
	".ogg":  "audio/ogg",
	".flac": "audio/flac",
	".aac":  "audio/aac",
	".m4a":  "audio/mp4",
	".mp4":  "video/mp4",
	".webm": "video/webm",
	".mov":  "video/quicktime",
	".avi":  "video/x-msvideo",
	".mpeg": "video/mpeg",
	".mpg":  "video/mpeg",
}

// GuessContentType guesses a file's MIME type from its name's extension, as
// HTTPX does with Python's mimetypes.guess_type, so that uploads are labelled
// without the caller having to know types. Common extensions come from a
// built-in table; others from [mime.TypeByExtension] (which may consult the
// system's type files), with parameters such as "; charset=utf-8" dropped
// because HTTPX sends the bare type. Names without a usable extension, hidden
// files like ".txt" included, get "application/octet-stream".
func GuessContentType(filename string) string {
	ext := extension(filename)
	if ext == "" || ext == "." {
		return "application/octet-stream"
	}
	if t, ok := commonTypes[strings.ToLower(ext)]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		if t = strings.TrimSpace(t); t != "" && validValue(t) {
			return t
		}
	}
	return "application/octet-stream"
}

// extension returns the extension of the last path element, dot included,
// ignoring leading dots as Python's splitext does. Both '/' and '\' end a
// directory name, since the name may come from either kind of system.
func extension(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimLeft(name, ".")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}
