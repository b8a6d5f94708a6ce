// XmlWriter: builds the XML documents S3 answers with — no prefixes, no CDATA, text escaped —
// since clients such as DuckDB find elements like <UploadId> and <ETag> by substring.
//
//   XmlWriter xml;
//   xml.Open("ListAllMyBucketsResult", kS3Namespace).Element("Name", "lake").Close();
//   xml.str();  // <?xml ...?><ListAllMyBucketsResult xmlns="..."><Name>lake</Name></...>
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::s3 {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

class XmlWriter {
 public:
  XmlWriter();

  // Starts an element; `xmlns` (the document root's namespace) when not empty.
  XmlWriter& Open(std::string_view name, std::string_view xmlns = {});
  // <name>text</name>, the text escaped.
  XmlWriter& Element(std::string_view name, std::string_view text);
  // Text inside the innermost open element, escaped.
  XmlWriter& Text(std::string_view text);
  // Closes the innermost open element.
  XmlWriter& Close();

  // The document; every element must be closed.
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// `text` with &, <, >, " and ' as entities.
std::string XmlEscape(std::string_view text);

}  // namespace sluice::s3
