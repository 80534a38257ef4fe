"""The demo province: Lâm Đồng after the July 2025 merger, its 2026 CCHC plan.

Task texts follow the measures of the seed articles (Lâm Đồng 2021, An Giang,
Bắc Giang, Gia Lộc, Vân Đồn): plans, inspections, reports, communication,
one-stop shops, online services, the 70/60/40 target for work records
processed on the network, SIPAS 95%, apology letters for late dossiers.
"""

from __future__ import annotations

PROVINCE = ("ubnd-tinh", "UBND tỉnh Lâm Đồng", "Chủ tịch UBND tỉnh")
OFFICE = ("vp-ubnd", "Văn phòng UBND tỉnh", "Chánh Văn phòng")

# (code, name, head's position)
DEPARTMENTS = [
    ("snv", "Sở Nội vụ", "Giám đốc Sở"),
    ("stp", "Sở Tư pháp", "Giám đốc Sở"),
    ("stc", "Sở Tài chính", "Giám đốc Sở"),
    ("skhcn", "Sở Khoa học và Công nghệ", "Giám đốc Sở"),
    ("sxd", "Sở Xây dựng", "Giám đốc Sở"),
    ("sct", "Sở Công Thương", "Giám đốc Sở"),
    ("snnmt", "Sở Nông nghiệp và Môi trường", "Giám đốc Sở"),
    ("sgddt", "Sở Giáo dục và Đào tạo", "Giám đốc Sở"),
    ("syt", "Sở Y tế", "Giám đốc Sở"),
    ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Giám đốc Sở"),
    ("sdttg", "Sở Dân tộc và Tôn giáo", "Giám đốc Sở"),
    ("ttr", "Thanh tra tỉnh", "Chánh Thanh tra"),
]

# (code, name, district code in the three-level layout)
COMMUNES = [
    ("p-xuan-huong", "Phường Xuân Hương - Đà Lạt", "tp-da-lat"),
    ("p-cam-ly", "Phường Cam Ly - Đà Lạt", "tp-da-lat"),
    ("p-lam-vien", "Phường Lâm Viên - Đà Lạt", "tp-da-lat"),
    ("p-lang-biang", "Phường Lang Biang - Đà Lạt", "tp-da-lat"),
    ("p-b-lao", "Phường B'Lao", "tp-bao-loc"),
    ("p-1-bao-loc", "Phường 1 Bảo Lộc", "tp-bao-loc"),
    ("x-duc-trong", "Xã Đức Trọng", "h-duc-trong"),
    ("x-hiep-thanh", "Xã Hiệp Thạnh", "h-duc-trong"),
    ("x-di-linh", "Xã Di Linh", "h-di-linh"),
    ("x-lac-duong", "Xã Lạc Dương", "h-lac-duong"),
    ("x-don-duong", "Xã Đơn Dương", "h-don-duong"),
    ("x-nam-ban", "Xã Nam Ban Lâm Hà", "h-lam-ha"),
    ("x-dinh-van", "Xã Đinh Văn Lâm Hà", "h-lam-ha"),
    ("p-bac-gia-nghia", "Phường Bắc Gia Nghĩa", "tp-gia-nghia"),
]

DISTRICTS = [
    ("tp-da-lat", "UBND thành phố Đà Lạt"),
    ("tp-bao-loc", "UBND thành phố Bảo Lộc"),
    ("h-duc-trong", "UBND huyện Đức Trọng"),
    ("h-di-linh", "UBND huyện Di Linh"),
    ("h-lac-duong", "UBND huyện Lạc Dương"),
    ("h-don-duong", "UBND huyện Đơn Dương"),
    ("h-lam-ha", "UBND huyện Lâm Hà"),
    ("tp-gia-nghia", "UBND thành phố Gia Nghĩa"),
]

# Steering committee: (username, unit code, position)
COMMITTEE = [
    ("bcd1", "ubnd-tinh", "Phó Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo CCHC"),
    ("bcd2", "snv", "Phó Giám đốc Sở Nội vụ, Phó Trưởng ban thường trực"),
]

PLAN_TITLE = "Kế hoạch cải cách hành chính năm 2026 của UBND tỉnh Lâm Đồng"
PLAN_NUMBER = "07/KH-UBND"
PLAN_ISSUED = (18, 1)  # 18/01/2026

# (area, sub-criterion, title, lead unit, cooperating units, deadline dd/mm, deliverable)
TASKS: list[tuple[int, str, str, str, list[str], str, str]] = [
    (1, "1.4", "Ban hành Kế hoạch kiểm tra công tác cải cách hành chính năm 2026", "snv", ["vp-ubnd"], "15/02", "Kế hoạch kiểm tra"),
    (1, "1.4", "Kiểm tra công tác CCHC tại các sở, ban, ngành và UBND cấp xã (đợt 1)", "snv", ["stp", "skhcn"], "30/06", "Thông báo kết luận kiểm tra"),
    (1, "1.4", "Kiểm tra công tác CCHC đợt 2 và kiểm tra đột xuất kỷ luật, kỷ cương hành chính", "snv", ["ttr"], "30/10", "Báo cáo kết quả kiểm tra"),
    (1, "1.3", "Báo cáo công tác CCHC quý I năm 2026", "snv", [], "15/03", "Báo cáo quý I"),
    (1, "1.3", "Báo cáo công tác CCHC 6 tháng đầu năm 2026", "snv", [], "15/06", "Báo cáo 6 tháng"),
    (1, "1.3", "Báo cáo công tác CCHC quý III năm 2026", "snv", [], "15/09", "Báo cáo quý III"),
    (1, "1.3", "Báo cáo công tác CCHC năm 2026", "snv", [], "15/12", "Báo cáo năm"),
    (1, "1.5", "Ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2026", "snv", ["svhttdl"], "31/01", "Kế hoạch tuyên truyền"),
    (1, "1.5", "Tổ chức Hội thi tìm hiểu về cải cách hành chính trên Cổng thông tin điện tử tỉnh", "snv", ["svhttdl", "skhcn"], "31/08", "Thông báo kết quả hội thi"),
    (1, "1.5", "Duy trì chuyên mục \"Cải cách hành chính\" trên Báo và Đài Phát thanh - Truyền hình tỉnh", "svhttdl", ["snv"], "30/04", "Chuyên mục phát hằng tháng"),
    (1, "1.6", "Tổng hợp, đánh giá sáng kiến, giải pháp mới trong công tác CCHC năm 2026", "snv", ["skhcn"], "30/11", "Quyết định công nhận sáng kiến"),
    (1, "1.2", "Tổ chức hội nghị sơ kết công tác CCHC 6 tháng đầu năm 2026", "vp-ubnd", ["snv"], "31/07", "Thông báo kết luận hội nghị"),
    (1, "1.2", "Xác định, công bố Chỉ số CCHC năm 2025 của các sở, ngành và UBND cấp xã", "snv", [], "31/03", "Quyết định công bố Chỉ số CCHC"),
    (2, "", "Ban hành danh mục văn bản quy phạm pháp luật UBND tỉnh ban hành năm 2026", "stp", ["vp-ubnd"], "31/01", "Quyết định ban hành danh mục"),
    (2, "", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật của tỉnh sau sắp xếp đơn vị hành chính", "stp", ["snv", "stc"], "30/06", "Quyết định công bố kết quả rà soát"),
    (2, "", "Kiểm tra văn bản quy phạm pháp luật do UBND cấp xã ban hành", "stp", [], "31/10", "Báo cáo kết quả kiểm tra văn bản"),
    (2, "", "Theo dõi tình hình thi hành pháp luật về xử lý vi phạm hành chính", "stp", ["ttr"], "30/11", "Báo cáo theo dõi thi hành pháp luật"),
    (2, "", "Sửa đổi Quy chế làm việc của UBND tỉnh", "vp-ubnd", ["snv", "stp"], "31/05", "Quyết định ban hành Quy chế"),
    (3, "", "Công bố danh mục thủ tục hành chính mới, sửa đổi, bổ sung thuộc thẩm quyền của tỉnh", "vp-ubnd", ["stp"], "31/12", "Quyết định công bố danh mục TTHC"),
    (3, "", "Rà soát, đơn giản hóa thủ tục hành chính nội bộ giữa các cơ quan hành chính", "vp-ubnd", ["snv", "stc"], "30/09", "Quyết định phê duyệt phương án đơn giản hóa"),
    (3, "", "Triển khai thu phí, lệ phí trực tuyến và thanh toán không dùng tiền mặt", "stc", ["vp-ubnd", "skhcn"], "30/06", "Báo cáo kết quả triển khai"),
    (3, "", "Gửi thư xin lỗi cho 100% hồ sơ giải quyết trễ hạn", "vp-ubnd", [], "31/12", "Báo cáo tổng hợp thư xin lỗi"),
    (3, "", "Không để người dân, tổ chức đi lại từ 3 lần trở lên khi giải quyết một hồ sơ", "vp-ubnd", ["snv"], "31/12", "Báo cáo đánh giá"),
    (3, "", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa các cấp", "skhcn", ["vp-ubnd"], "30/09", "Báo cáo tỷ lệ số hóa"),
    (3, "", "Nâng cao chất lượng hoạt động của Trung tâm Phục vụ hành chính công tỉnh", "vp-ubnd", ["skhcn"], "31/07", "Đề án nâng cao chất lượng phục vụ"),
    (3, "", "Tiếp nhận, trả kết quả thủ tục hành chính qua dịch vụ bưu chính công ích", "vp-ubnd", ["sxd"], "31/08", "Báo cáo kết quả"),
    (3, "", "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực đất đai, môi trường", "snnmt", ["vp-ubnd"], "30/06", "Phương án đơn giản hóa"),
    (3, "", "Công khai thủ tục hành chính và kết quả giải quyết hồ sơ trên Cổng Dịch vụ công", "vp-ubnd", [], "31/03", "Báo cáo mức độ công khai"),
    (3, "", "Liên thông đăng ký khai sinh, thường trú, cấp thẻ BHYT cho trẻ dưới 6 tuổi", "stp", ["syt"], "31/05", "Báo cáo kết quả liên thông"),
    (3, "", "Rà soát thủ tục hành chính lĩnh vực giáo dục và đào tạo", "sgddt", ["vp-ubnd"], "31/07", "Phương án đơn giản hóa"),
    (3, "", "Rà soát thủ tục hành chính lĩnh vực y tế", "syt", ["vp-ubnd"], "31/07", "Phương án đơn giản hóa"),
    (3, "", "Rà soát thủ tục hành chính lĩnh vực xây dựng, giao thông", "sxd", ["vp-ubnd"], "31/07", "Phương án đơn giản hóa"),
    (4, "", "Kiện toàn tổ chức bộ máy các cơ quan chuyên môn thuộc UBND tỉnh sau sắp xếp", "snv", ["stp"], "31/03", "Quyết định quy định chức năng, nhiệm vụ"),
    (4, "", "Rà soát, sắp xếp các đơn vị sự nghiệp công lập theo hướng tinh gọn", "snv", ["stc", "syt", "sgddt"], "30/09", "Đề án sắp xếp"),
    (4, "", "Kiểm tra việc phân cấp, ủy quyền quản lý nhà nước cho chính quyền cấp xã", "snv", ["stp"], "31/10", "Báo cáo kết quả kiểm tra"),
    (4, "", "Ban hành quy định chức năng, nhiệm vụ của các phòng chuyên môn thuộc UBND cấp xã", "snv", [], "28/02", "Quyết định ban hành"),
    (5, "", "Phê duyệt, điều chỉnh vị trí việc làm trong các cơ quan hành chính", "snv", [], "30/04", "Quyết định phê duyệt vị trí việc làm"),
    (5, "", "Bồi dưỡng kỹ năng, nghiệp vụ CCHC cho công chức làm đầu mối CCHC", "snv", ["vp-ubnd"], "30/06", "Báo cáo kết quả bồi dưỡng"),
    (5, "", "Đánh giá, xếp loại cán bộ, công chức năm 2026 gắn với kết quả CCHC", "snv", [], "15/12", "Báo cáo đánh giá, xếp loại"),
    (5, "", "Thanh tra công vụ, kiểm tra kỷ luật, kỷ cương hành chính", "ttr", ["snv"], "30/11", "Kết luận thanh tra"),
    (5, "", "Tuyển dụng công chức năm 2026 bằng hình thức thi trên máy tính", "snv", ["skhcn"], "31/10", "Quyết định công nhận kết quả tuyển dụng"),
    (5, "", "Gắn CCHC với công tác dân tộc, tôn giáo ở vùng đồng bào dân tộc thiểu số", "sdttg", ["snv"], "30/09", "Báo cáo kết quả"),
    (6, "", "Giao quyền tự chủ tài chính cho các đơn vị sự nghiệp công lập", "stc", ["syt", "sgddt"], "30/06", "Quyết định giao quyền tự chủ"),
    (6, "", "Giải ngân 100% kế hoạch vốn đầu tư công năm 2026", "stc", ["sxd"], "31/12", "Báo cáo giải ngân"),
    (6, "", "Công khai dự toán, quyết toán ngân sách nhà nước theo quy định", "stc", [], "31/01", "Báo cáo công khai ngân sách"),
    (6, "", "Rà soát quy chế chi tiêu nội bộ, quản lý và sử dụng tài sản công", "stc", [], "31/03", "Quy chế chi tiêu nội bộ"),
    (7, "", "Xử lý hồ sơ công việc trên môi trường mạng: cấp tỉnh 70%, cấp xã 40%", "skhcn", ["vp-ubnd"], "31/12", "Báo cáo tỷ lệ xử lý trên môi trường mạng"),
    (7, "", "Nâng cấp Hệ thống thông tin giải quyết TTHC tỉnh, kết nối Cổng Dịch vụ công quốc gia", "skhcn", ["vp-ubnd"], "30/06", "Biên bản nghiệm thu hệ thống"),
    (7, "", "Cung cấp dịch vụ công trực tuyến toàn trình: 50% TTHC có phát sinh hồ sơ trực tuyến", "skhcn", ["vp-ubnd"], "30/09", "Quyết định công bố danh mục dịch vụ công"),
    (7, "", "Duy trì Cổng thông tin điện tử tỉnh theo Nghị định 42/2022/NĐ-CP", "skhcn", [], "30/04", "Báo cáo đánh giá Cổng thông tin"),
    (7, "", "Cấp chữ ký số cho 100% cán bộ, công chức cấp xã", "skhcn", ["snv"], "31/05", "Danh sách cấp chứng thư số"),
    (7, "", "Kết nối Hệ thống thông tin báo cáo của tỉnh với Hệ thống báo cáo Chính phủ", "vp-ubnd", ["skhcn"], "31/08", "Hệ thống vận hành"),
    (7, "", "Bảo đảm an toàn thông tin cho hệ thống thông tin dùng chung của tỉnh", "skhcn", [], "31/10", "Báo cáo đánh giá an toàn thông tin"),
    (8, "", "Khảo sát sự hài lòng (SIPAS), phấn đấu đạt trên 95%", "snv", ["vp-ubnd"], "31/10", "Báo cáo kết quả SIPAS"),
    (8, "", "Đối thoại giữa lãnh đạo tỉnh với doanh nghiệp về thủ tục hành chính", "sct", ["stc", "vp-ubnd"], "30/06", "Thông báo kết luận đối thoại"),
    (8, "", "Cải thiện chỉ số năng lực cạnh tranh cấp tỉnh (PCI) và chỉ số PAPI", "vp-ubnd", ["stc", "snv"], "30/09", "Kế hoạch cải thiện PCI, PAPI"),
    (8, "", "Hỗ trợ doanh nghiệp nhỏ và vừa, khởi nghiệp sáng tạo tiếp cận thủ tục hành chính", "stc", ["sct", "skhcn"], "30/11", "Báo cáo kết quả hỗ trợ"),
]  # fmt: skip

# Subtasks: parent title -> [(title, deadline dd/mm, deliverable)]
SUBTASKS: dict[str, list[tuple[str, str, str]]] = {
    "Công bố danh mục thủ tục hành chính mới, sửa đổi, bổ sung thuộc thẩm quyền của tỉnh": [
        ("Công bố danh mục TTHC quý I", "31/03", "Quyết định công bố quý I"),
        ("Công bố danh mục TTHC quý II", "30/06", "Quyết định công bố quý II"),
        ("Công bố danh mục TTHC quý III", "30/09", "Quyết định công bố quý III"),
        ("Công bố danh mục TTHC quý IV", "31/12", "Quyết định công bố quý IV"),
    ],
    "Nâng cấp Hệ thống thông tin giải quyết TTHC tỉnh, kết nối Cổng Dịch vụ công quốc gia": [
        ("Khảo sát, xây dựng yêu cầu nâng cấp hệ thống", "31/03", "Báo cáo khảo sát"),
        (
            "Kiểm thử kết nối, đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia",
            "31/05",
            "Biên bản kiểm thử",
        ),
    ],
}

# Every department and commune (and district) gets these; {unit} is its name.
ISSUE_UNIT_PLAN = "Ban hành Kế hoạch CCHC năm 2026 của {unit}"
PER_UNIT_TASKS: list[tuple[int, str, str, str, str]] = [
    (1, "1.2", ISSUE_UNIT_PLAN, "31/01", "Kế hoạch CCHC năm 2026"),
]
PER_COMMUNE_TASKS: list[tuple[int, str, str, str, str]] = [
    (1, "1.3", "Báo cáo công tác CCHC quý III năm 2026 của {unit}", "15/09", "Báo cáo quý III"),
    (3, "", "Niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa {unit}", "31/03", "Biên bản kiểm tra niêm yết"),
]  # fmt: skip

# Indicators: (code, name, {level: target %})
INDICATORS = [
    (
        "hscv-mang",
        "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật)",
        {"province": 70, "department": 70, "district": 60, "commune": 40},
    ),
    (
        "tthc-dung-han",
        "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hạn",
        {"province": 100, "department": 100, "district": 100, "commune": 100},
    ),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quốc", "Thanh", "Thu", "Kim"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phong", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến"]  # fmt: skip

# An appraiser's points: new initiatives (1.6 of the sở set, 1.5 of the xã set) and
# a penalty (1.6 of the xã set): (unit code, sub-criterion, points, justification)
MANUAL_SCORES = [
    ("snv", "1.6", "1.00", "Sáng kiến số hóa hồ sơ công chức được UBND tỉnh công nhận."),
    ("skhcn", "1.6", "0.75", "Giải pháp ký số tập trung đã triển khai, chưa nhân rộng."),
    ("vp-ubnd", "1.6", "0.50", "Đề xuất cải tiến quy trình một cửa, đang thí điểm."),
    ("p-xuan-huong", "1.5", "1.00", 'Mô hình "Phường không hẹn" được tỉnh công nhận.'),
    ("x-duc-trong", "1.5", "0.50", "Tổ công nghệ số cộng đồng hỗ trợ nộp hồ sơ trực tuyến."),
    ("x-di-linh", "1.6", "0.50", "02 hồ sơ trễ hạn chưa có văn bản xin lỗi (kết luận kiểm tra)."),
]
