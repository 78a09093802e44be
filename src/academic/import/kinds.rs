//! The kinds of academic file and their columns (the documented header name first; the other
//! Chinese and English names are accepted too).

use crate::tabular::Column;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Students,
    Teachers,
    Courses,
    Classrooms,
    Calendar,
    Schedules,
    Grades,
    Exams,
    Contacts,
    Evaluations,
}

const fn col(key: &'static str, names: &'static [&'static str], required: bool) -> Column {
    Column { key, names, required }
}

const STUDENTS: &[Column] = &[
    col("no", &["学号", "student_no"], true),
    col("name", &["姓名", "name"], true),
    col("college", &["学院", "college"], true),
    col("major", &["专业", "major"], true),
    col("class", &["班级", "class_name"], true),
    col("year", &["入学年份", "年级", "enrol_year"], true),
    col("status", &["学籍状态", "状态", "status"], false),
    col("id", &["身份证后六位", "身份证号后六位", "id_fragment"], false),
];
const TEACHERS: &[Column] = &[
    col("no", &["工号", "staff_no"], true),
    col("name", &["姓名", "name"], true),
    col("department", &["院系", "学院", "部门", "department"], true),
    col("title", &["职称", "title"], false),
];
const COURSES: &[Column] = &[
    col("code", &["课程代码", "课程号", "code"], true),
    col("name", &["课程名称", "课程名", "name"], true),
    col("credit", &["学分", "credit"], true),
    col("kind", &["课程性质", "类别", "kind"], false),
];
const CLASSROOMS: &[Column] = &[
    col("code", &["教室", "教室编号", "code"], true),
    col("building", &["教学楼", "楼宇", "building"], true),
    col("capacity", &["座位数", "容量", "capacity"], true),
];
const CALENDAR: &[Column] = &[
    col("semester", &["学期代码", "学期", "semester"], true),
    col("name", &["学期名称", "semester_name"], false),
    col("start", &["开学日期", "第一周周一", "starts_on"], false),
    col("weeks", &["教学周数", "周数", "weeks"], false),
    col("kind", &["事件类型", "类型", "event_kind"], false),
    col("title", &["事件名称", "名称", "title"], false),
    col("from", &["开始日期", "event_start"], false),
    col("to", &["结束日期", "event_end"], false),
    col("follows", &["按日期上课", "调休上课日期", "follows_on"], false),
];
const SCHEDULES: &[Column] = &[
    col("semester", &["学期", "学期代码", "semester"], true),
    col("course", &["课程代码", "课程号", "course_code"], true),
    col("teacher", &["教师工号", "工号", "staff_no"], false),
    col("classes", &["上课班级", "班级", "class_names"], true),
    col("day", &["星期", "day_of_week"], true),
    col("start", &["开始节次", "起始节", "period_start"], true),
    col("end", &["结束节次", "结束节", "period_end"], true),
    col("weeks", &["周次", "上课周次", "weeks"], true),
    col("room", &["教室", "classroom"], false),
];
const GRADES: &[Column] = &[
    col("no", &["学号", "student_no"], true),
    col("semester", &["学期", "学期代码", "semester"], true),
    col("course", &["课程代码", "课程号", "course_code"], true),
    col("regular", &["平时成绩", "平时", "regular"], false),
    col("midterm", &["期中成绩", "期中", "midterm"], false),
    col("final", &["期末成绩", "期末", "final"], false),
    col("total", &["总评成绩", "总评", "成绩", "total"], true),
];
const EXAMS: &[Column] = &[
    col("no", &["学号", "student_no"], true),
    col("semester", &["学期", "学期代码", "semester"], true),
    col("course", &["课程代码", "课程号", "course_code"], true),
    col("date", &["考试日期", "日期", "date"], true),
    col("start", &["开始时间", "starts_at"], true),
    col("end", &["结束时间", "ends_at"], true),
    col("room", &["考场", "考试地点", "room"], true),
    col("seat", &["座位号", "seat"], true),
];
const CONTACTS: &[Column] = &[
    col("department", &["部门", "单位", "department"], true),
    col("office", &["科室", "岗位", "办公室", "office"], true),
    col("phone", &["电话", "办公电话", "phone"], false),
    col("email", &["邮箱", "电子邮箱", "email"], false),
    col("location", &["地点", "办公地点", "location"], false),
    col("hours", &["办公时间", "hours"], false),
];
const EVALUATIONS: &[Column] = &[
    col("no", &["学号", "student_no"], true),
    col("year", &["学年", "school_year"], true),
    col("academic", &["学业", "学业成绩", "智育", "academic"], true),
    col("moral", &["德育", "思想品德", "moral"], true),
    col("sports", &["体育", "体测", "sports"], true),
    col("extra", &["其他", "创新与实践", "附加分", "other"], false),
];

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Students,
        Kind::Teachers,
        Kind::Courses,
        Kind::Classrooms,
        Kind::Calendar,
        Kind::Schedules,
        Kind::Grades,
        Kind::Exams,
        Kind::Contacts,
        Kind::Evaluations,
    ];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Students => "students",
            Kind::Teachers => "teachers",
            Kind::Courses => "courses",
            Kind::Classrooms => "classrooms",
            Kind::Calendar => "calendar",
            Kind::Schedules => "schedules",
            Kind::Grades => "grades",
            Kind::Exams => "exams",
            Kind::Contacts => "contacts",
            Kind::Evaluations => "evaluations",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Students => "学生",
            Kind::Teachers => "教师",
            Kind::Courses => "课程",
            Kind::Classrooms => "教室",
            Kind::Calendar => "校历（学期与事件）",
            Kind::Schedules => "课表",
            Kind::Grades => "成绩",
            Kind::Exams => "考试安排",
            Kind::Contacts => "部门通讯录",
            Kind::Evaluations => "综合测评",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Students => STUDENTS,
            Kind::Teachers => TEACHERS,
            Kind::Courses => COURSES,
            Kind::Classrooms => CLASSROOMS,
            Kind::Calendar => CALENDAR,
            Kind::Schedules => SCHEDULES,
            Kind::Grades => GRADES,
            Kind::Exams => EXAMS,
            Kind::Contacts => CONTACTS,
            Kind::Evaluations => EVALUATIONS,
        }
    }

    /// The documented header, e.g. `学号,姓名,学院,…`.
    pub fn header(self) -> String {
        self.columns().iter().map(|c| c.names[0]).collect::<Vec<_>>().join(",")
    }
}
