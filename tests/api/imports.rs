//! Product import from CSV and XLSX: checked at once, saved in the background, progress and
//! report on `/merchant/imports/{id}`.

use std::io::Write;

use campus::db::schema::{product_imports, stock_logs};
use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, eventually, spawn_app};
use crate::merchant::{new_merchant, sku_ids};

pub fn import(m: &Client, file_name: &str, data: &[u8]) -> Resp {
    let token = m.get("/merchant/products").csrf();
    let boundary = "----import";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    m.post_raw(
        &format!("/merchant/products/import?csrf_token={token}"),
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    )
}

/// Follows an accepted import to its page and waits for the report.
pub fn finished(m: &Client, accepted: &Resp) -> Resp {
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let page = accepted.location().unwrap().to_string();
    assert!(page.starts_with("/merchant/imports/"));
    assert!(eventually(|| m.get(&page).body.contains("导入完成")), "the import finishes");
    m.get(&page)
}

/// A one-sheet XLSX: strings as inline strings, numbers as numbers.
pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            if !cell.is_empty() && cell.parse::<f64>().is_ok() {
                sheet.push_str(&format!(r#"<c r="{at}"><v>{cell}</v></c>"#));
            } else {
                let text = cell.replace('&', "&amp;").replace('<', "&lt;");
                sheet.push_str(&format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#));
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let files = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="商品" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const HEADER: &[&str] = &["商品名称", "分类", "规格", "价格", "库存", "描述"];

fn import_logs(app: &TestApp) -> i64 {
    app.db(|c| stock_logs::table.filter(stock_logs::reason.eq("import")).count().get_result(c).unwrap())
}

#[test]
fn products_and_stock_go_out_and_come_in_as_csv_with_a_per_row_report() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let csv = m.get("/merchant/products.csv");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with('\u{feff}'), "a BOM for spreadsheet programs");
    assert!(csv.body.contains("商品名称,分类,规格,价格,库存,描述"));
    assert!(csv.body.contains("校园文化衫 纯棉 T恤,服饰,白色 / M,49.00,30"));

    let r = import(&m, "p.csv", "名称,价格\nx,1\n".as_bytes());
    assert_eq!(r.status, 422);
    assert!(r.body.contains("表头应为"));
    let r = import(&m, "p.csv", "商品名称,分类,规格,价格,库存,描述\n".as_bytes());
    assert_eq!(r.status, 422);
    assert!(r.body.contains("没有要导入的行"));
    let r = import(&m, "p.csv", b"\xc9\xcc\xc6\xb7,\xb7\xd6\xc0\xe0\n"); // GBK
    assert_eq!(r.status, 422);
    assert!(r.body.contains("UTF-8"));
    assert_eq!(app.db(|c| product_imports::table.count().get_result::<i64>(c).unwrap()), 0, "nothing started");

    let file = "\u{feff}商品名称,分类,规格,价格,库存,描述\n\
                宿舍小夜灯,宿舍电器,暖光,19.9,40,USB 充电\n\
                宿舍小夜灯,宿舍电器,白光,19.9,35,\n\
                \"逗号, 测试杯\",收纳,,9.5,3,\n\
                坏价格,零食,,abc,1,\n\
                未知分类,火星,,1,1,\n\
                负库存,零食,,1,-2,\n\
                校园文化衫 纯棉 T恤,服饰,白色 / M,45,99,\n\
                校园文化衫 纯棉 T恤,服饰,紫色 / S,45,1,\n";
    let r = finished(&m, &import(&m, "p.csv", file.as_bytes()));
    assert!(r.body.contains("导入完成：共 8 行"), "{}", r.body);
    for (line, why) in [
        (5, "请输入正确的金额"),
        (6, "没有分类「火星」"),
        (7, "库存需为"),
        (9, "商品「校园文化衫 纯棉 T恤」没有规格「紫色 / S」"),
    ] {
        assert!(r.body.contains(&format!("<td>{line}</td><td>{why}")), "line {line}: {why}");
    }
    let lamp = sku_ids(&app, "宿舍小夜灯");
    assert_eq!(lamp.iter().map(|s| (s.1.as_str(), s.2)).collect::<Vec<_>>(), vec![("暖光", 40), ("白光", 35)]);
    assert_eq!(sku_ids(&app, "逗号, 测试杯")[0].2, 3, "quoted fields");
    let shirt = sku_ids(&app, "校园文化衫 纯棉 T恤");
    assert_eq!(shirt[0].2, 99, "stock of an existing option updated");
    assert!(sku_ids(&app, "坏价格").is_empty() && sku_ids(&app, "负库存").is_empty(), "bad rows skipped");
    assert_eq!(import_logs(&app), 4);
}

#[test]
fn an_xlsx_file_imports_like_a_csv_and_a_wrong_one_is_refused_whole() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let r = import(&m, "p.xlsx", &xlsx(&[&["名称", "价格", "库存"], &["台灯", "30", "1"]]));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("表头应为：商品名称,分类,规格,价格,库存,描述"), "{}", r.body);
    let r = import(&m, "p.xlsx", b"PK\x03\x04 this is not a workbook");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("文件不是有效的 XLSX 表格"));
    let r = import(&m, "p.xls", b"\xd0\xcf\x11\xe0 old excel");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不支持旧版 .xls 文件"));
    assert!(sku_ids(&app, "台灯").is_empty());

    let book = xlsx(&[
        HEADER,
        &["护眼台灯", "宿舍电器", "", "89.9", "12", "三档调光"],
        &["帆布收纳箱", "收纳", "大号", "35", "8", ""],
        &["帆布收纳箱", "收纳", "小号", "25.5", "6", ""],
        &["", "", "", "", "", ""],
        &["免费样品", "零食", "", "0", "5", ""],
        &["超多库存", "零食", "", "1", "1000000", ""],
    ]);
    let r = finished(&m, &import(&m, "商品.xlsx", &book));
    assert!(r.body.contains("商品.xlsx"));
    assert!(r.body.contains("导入完成：共 5 行"), "a blank row is not a row: {}", r.body);
    assert!(r.body.contains("<td>6</td><td>价格需在 ¥0.01 到 ¥100000 之间"), "Excel row numbers");
    assert!(r.body.contains("<td>7</td><td>库存需为 0 到 999999 之间的整数"));
    let lamp = sku_ids(&app, "护眼台灯");
    assert_eq!(lamp.len(), 1);
    assert_eq!(lamp[0].2, 12, "a number cell read as an integer");
    let boxes = sku_ids(&app, "帆布收纳箱");
    assert_eq!(boxes.iter().map(|s| (s.1.as_str(), s.2)).collect::<Vec<_>>(), vec![("大号", 8), ("小号", 6)]);
    use campus::db::schema::product_skus;
    let price: i64 = app.db(|c| {
        product_skus::table.filter(product_skus::id.eq(boxes[1].0)).select(product_skus::price_cents).first(c).unwrap()
    });
    assert_eq!(price, 2550, "25.5 yuan from a float cell is 2,550 cents");
    assert_eq!(import_logs(&app), 3);
}

#[test]
fn the_import_page_shows_progress_and_belongs_to_its_shop_only() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let page =
        finished(&m, &import(&m, "p.csv", "商品名称,分类,规格,价格,库存,描述\n速干毛巾,服饰,,15,20,\n".as_bytes()));
    assert!(page.body.contains("新建规格"));
    let id: i64 = app.db(|c| product_imports::table.select(product_imports::id).first(c).unwrap());
    let list = m.get("/merchant/products");
    assert!(list.body.contains("最近一次导入：p.csv（完成，新建 1、更新 0）"), "{}", list.body);
    assert!(list.body.contains(&format!("href=\"/merchant/imports/{id}\">查看报告")));
    // Another merchant cannot see it.
    let other = new_merchant(&app, "import2");
    assert_eq!(other.get(&format!("/merchant/imports/{id}")).status, 404);
    assert_eq!(app.client().get(&format!("/merchant/imports/{id}")).status, 303, "signed out: to the login page");

    // While an import runs, the page says how far it got and polls for more.
    let now = campus::db::now();
    app.db(|c| {
        diesel::update(product_imports::table.find(id))
            .set((
                product_imports::status.eq("running"),
                product_imports::total_rows.eq(5000),
                product_imports::done_rows.eq(1200),
                product_imports::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap()
    });
    let r = m.get(&format!("/merchant/imports/{id}"));
    assert!(r.body.contains("已处理 1200 / 5000 行（24%）"), "{}", r.body);
    assert!(r.body.contains(&format!("hx-get=\"/merchant/imports/{id}\"")));
    let fragment = m.get_with(&format!("/merchant/imports/{id}"), &[("HX-Request", "true")]);
    assert!(fragment.body.trim_start().starts_with("<section id=\"import-progress\""), "only the progress part");
    assert!(!fragment.body.contains("<html"));
    // One that stopped hearing from its worker long ago was cut off by a restart.
    app.db(|c| {
        diesel::update(product_imports::table.find(id))
            .set(product_imports::updated_at.eq(now - chrono::TimeDelta::hours(1)))
            .execute(c)
            .unwrap()
    });
    let r = m.get(&format!("/merchant/imports/{id}"));
    assert!(r.body.contains("导入被中断"));
    assert!(!r.body.contains("hx-get=\"/merchant/imports"));
}

/// An archive whose one part inflates far past the limit (zeros compress a thousandfold).
pub fn zip_bomb() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("xl/worksheets/sheet1.xml", zip::write::SimpleFileOptions::default()).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..(campus::tabular::MAX_XLSX_UNPACKED / (1024 * 1024) + 4) {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_zip_bomb_posing_as_xlsx_is_refused_before_it_is_unpacked() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let bomb = zip_bomb();
    assert!(bomb.len() < 1024 * 1024, "small on the wire: {} bytes", bomb.len());
    let r = import(&m, "p.xlsx", &bomb);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("XLSX 解压后超过 100 MB"), "{}", r.body);
    assert_eq!(app.db(|c| product_imports::table.count().get_result::<i64>(c).unwrap()), 0, "nothing started");
    assert_eq!(m.get("/merchant/products").status, 200, "the server is still up");
}

#[test]
fn a_product_row_with_control_characters_outside_the_description_is_refused_naming_its_column() {
    let app = spawn_app();
    let m = app.login("merchant", DEMO_PASSWORD);
    let file = "商品名称,分类,规格,价格,库存,描述\n\
                \"夜灯\r\nEND:VEVENT\",宿舍电器,暖光,19.9,40,\n\
                台灯,宿舍电器,\"白\u{1b}光\",29.9,5,\n\
                护眼灯,宿舍电器,暖光,39.9,5,\"第一行\n第二行\"\n";
    let r = finished(&m, &import(&m, "p.csv", file.as_bytes()));
    assert!(r.body.contains("「商品名称」列含有换行、回车等控制字符"), "{}", r.body);
    assert!(r.body.contains("「规格」列含有换行、回车等控制字符"), "{}", r.body);
    assert!(sku_ids(&app, "夜灯\r\nEND:VEVENT").is_empty() && sku_ids(&app, "台灯").is_empty(), "refused rows");
    assert_eq!(sku_ids(&app, "护眼灯").len(), 1, "a description keeps its line breaks");
}
