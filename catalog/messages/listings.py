"""Error codes of the listings area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {
    "listings.channel_unknown": (
        "Chưa có tệp mô tả kênh bán cho sàn '{value}' (có: {allowed}).",
        "No channel file for marketplace '{value}' (known: {allowed})."),
    "listings.channel_invalid": (
        "Tệp mô tả kênh bán {path} không hợp lệ: {detail}",
        "Channel file {path} is invalid: {detail}"),
    "listings.url_invalid": (
        "'{value}' không phải đường dẫn hay mã sản phẩm trên sàn.",
        "'{value}' is neither a listing address nor a listing id."),
    "listings.url_foreign": (
        "Đường dẫn '{value}' không thuộc sàn {marketplace} (cần: {hosts}).",
        "Address '{value}' is not on {marketplace} (expected: {hosts})."),
    "listings.remote_id_taken": (
        "Sản phẩm '{value}' trên sàn đã được gắn với {other} của tài khoản này.",
        "Listing '{value}' is already bound to {other} on this account."),
    "listings.product_foreign": (
        "Sản phẩm {ref} thuộc chủ thể khác; tài khoản {account} là gian hàng của {producer}.",
        "Product {ref} belongs to another producer; account {account} is {producer}'s shop."),
    "listings.out_not_folder": (
        "'{path}' là một tệp, không phải thư mục: hãy chọn thư mục khác để ghi gói.",
        "'{path}' is a file, not a folder: choose another folder for the pack."),
    "listings.out_not_file": (
        "'{path}' là một thư mục: hãy ghi tên tệp .xlsx, ví dụ {path}/don-hang.xlsx.",
        "'{path}' is a folder: give an .xlsx file name, e.g. {path}/orders.xlsx."),
    "listings.out_unwritable": (
        "Không ghi được vào '{path}' ({detail}).",
        "Cannot write to '{path}' ({detail})."),
    "listings.export_foreign": (
        "Tệp này là tệp đơn hàng của {label}, không phải của sàn {marketplace}: hãy chọn tài khoản {other}.",
        "This is an order export of {label}, not of {marketplace}: choose a {other} account."),
    "listings.marketplace_unknown": (
        "Không biết sàn '{value}' (có: {allowed}).",
        "Unknown marketplace '{value}' (known: {allowed})."),
    "listings.sku_unknown": (
        "Chủ thể {producer} không có sản phẩm mã SKU '{value}'.",
        "Producer {producer} has no product with SKU '{value}'."),
    "listings.status_unknown": (
        "Trạng thái đơn '{value}' không có trong danh sách của sàn {marketplace} ({allowed}).",
        "Order status '{value}' is not one of {marketplace}'s ({allowed})."),
    "listings.order_inconsistent": (
        "Các dòng của đơn {order} ghi {field} khác nhau.",
        "The lines of order {order} disagree on {field}."),
    "listings.no_images": (
        "Sản phẩm chưa có ảnh: sàn thường bắt buộc ít nhất một ảnh.",
        "The product has no image: marketplaces usually require at least one."),
    "listings.category_unmapped": (
        "Ngành hàng {category} ({name}) chưa được gán danh mục của sàn {marketplace}: cột danh mục để trống.",
        "Category {category} ({name}) has no {marketplace} category mapping: the category column is left blank."),
}
