"""Names the demo network is made of: places of Jiangsu province, units and people.

Official names are Chinese; the English and Spanish names are built from the pinyin.
Surname weights follow the shares of the most common Chinese surnames (per mille of the
population, rounded), with the surnames frequent around Suzhou (顾, 陆, 沈, 钱) among them.
"""

from __future__ import annotations

from dataclasses import dataclass

# (surname, weight in per mille of the population)
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 24),
    ("赵", 23), ("吴", 20), ("周", 20), ("徐", 17), ("孙", 15), ("马", 14), ("朱", 13),
    ("胡", 13), ("郭", 11), ("何", 11), ("林", 10), ("高", 10), ("罗", 9), ("郑", 8),
    ("梁", 8), ("谢", 7), ("宋", 6), ("唐", 6), ("许", 6), ("韩", 6), ("冯", 5), ("邓", 5),
    ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 4), ("袁", 4), ("潘", 4),
    ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4),
    ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 2), ("夏", 2), ("韦", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("段", 2), ("雷", 2),
    ("侯", 2), ("史", 2), ("陶", 2), ("顾", 2), ("钱", 2), ("严", 1), ("华", 1), ("浦", 1),
)  # fmt: skip

# Characters of given names, men's and women's together; a given name has one or two.
GIVEN_NAME_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚英华玉萍红建文辉力鹏宇浩凯婷雪琳晨欣怡佳颖"
    "倩丹俊峰斌鑫波宁晓燕梅莉兰慧蕾瑶思雨子轩博哲昊然天睿一诺可馨悦嘉泽宏志国新海春冬云飞"
    "亮翔林"
)

# Mobile prefixes of the three carriers (13x, 15x, 18x).
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A place name with its pinyin, for unit names in three languages."""

    zh: str
    pinyin: str


def places(text: str) -> tuple[Place, ...]:
    """``"黄桥:Huangqiao 渭塘:Weitang"`` → places."""
    result = []
    for item in text.split():
        zh, pinyin = item.split(":")
        result.append(Place(zh, pinyin.replace("_", " ")))
    return tuple(result)


@dataclass(frozen=True)
class SubBranchSpec:
    """A sub-branch of the Suzhou branch and the places its outlets are named after."""

    code: str
    place: Place
    outlet_places: tuple[Place, ...]


# Xiangcheng's outlets, in order: XC01 is the sub-branch's business department.
XIANGCHENG_OUTLETS: tuple[tuple[str, str, str], ...] = (
    ("相城营业部", "Xiangcheng Business Department", "Departamento de negocios de Xiangcheng"),
    ("元和支行营业室", "Yuanhe Sub-branch Office", "Oficina de la sucursal de Yuanhe"),
    ("黄桥网点", "Huangqiao Outlet", "Oficina de Huangqiao"),
    ("渭塘网点", "Weitang Outlet", "Oficina de Weitang"),
    ("望亭网点", "Wangting Outlet", "Oficina de Wangting"),
    ("太平网点", "Taiping Outlet", "Oficina de Taiping"),
    ("北桥网点", "Beiqiao Outlet", "Oficina de Beiqiao"),
    ("阳澄湖网点", "Yangchenghu Outlet", "Oficina de Yangchenghu"),
    ("漕湖网点", "Caohu Outlet", "Oficina de Caohu"),
    ("黄埭网点", "Huangdai Outlet", "Oficina de Huangdai"),
)

XIANGCHENG = SubBranchSpec("XC", Place("相城", "Xiangcheng"), ())

# The Suzhou branch's other sub-branches, each with the towns and streets of its area.
SUZHOU_PEERS: tuple[SubBranchSpec, ...] = (
    SubBranchSpec("GS", Place("姑苏", "Gusu"), places(
        "观前:Guanqian 石路:Shilu 南门:Nanmen 三香路:Sanxiang_Road 留园:Liuyuan "
        "桃花坞:Taohuawu 双塔:Shuangta 胥江:Xujiang 养育巷:Yangyuxiang 干将路:Ganjiang_Road"
    )),
    SubBranchSpec("YQ", Place("工业园区", "Industrial Park"), places(
        "湖西:Huxi 湖东:Hudong 星海街:Xinghai_Street 金鸡湖:Jinjihu 独墅湖:Dushuhu "
        "娄葑:Loufeng 唯亭:Weiting 胜浦:Shengpu 斜塘:Xietang 月亮湾:Yueliangwan"
    )),
    SubBranchSpec("GX", Place("高新区", "New District"), places(
        "狮山:Shishan 枫桥:Fengqiao 浒墅关:Xushuguan 通安:Tong'an 东渚:Dongzhu "
        "镇湖:Zhenhu 横塘:Hengtang 科技城:Science_City 何山:Heshan 长江路:Changjiang_Road"
    )),
    SubBranchSpec("WZ", Place("吴中", "Wuzhong"), places(
        "木渎:Mudu 甪直:Luzhi 胥口:Xukou 东山:Dongshan 西山:Xishan 光福:Guangfu "
        "临湖:Linhu 越溪:Yuexi 郭巷:Guoxiang 横泾:Hengjing"
    )),
    SubBranchSpec("WJ", Place("吴江", "Wujiang"), places(
        "松陵:Songling 盛泽:Shengze 震泽:Zhenze 平望:Pingwang 黎里:Lili 同里:Tongli "
        "七都:Qidu 桃源:Taoyuan 汾湖:Fenhu 横扇:Hengshan"
    )),
    SubBranchSpec("CS", Place("常熟", "Changshu"), places(
        "虞山:Yushan 梅李:Meili 海虞:Haiyu 古里:Guli 沙家浜:Shajiabang 支塘:Zhitang "
        "董浜:Dongbang 尚湖:Shanghu 辛庄:Xinzhuang 碧溪:Bixi"
    )),
    SubBranchSpec("ZJG", Place("张家港", "Zhangjiagang"), places(
        "杨舍:Yangshe 塘桥:Tangqiao 金港:Jingang 锦丰:Jinfeng 乐余:Leyu 凤凰:Fenghuang "
        "南丰:Nanfeng 大新:Daxin 保税区:Bonded_Zone 后塍:Houcheng"
    )),
    SubBranchSpec("KS", Place("昆山", "Kunshan"), places(
        "玉山:Yushan 巴城:Bacheng 周市:Zhoushi 陆家:Lujia 花桥:Huaqiao 淀山湖:Dianshanhu "
        "张浦:Zhangpu 周庄:Zhouzhuang 锦溪:Jinxi 千灯:Qiandeng"
    )),
    SubBranchSpec("TC", Place("太仓", "Taicang"), places(
        "城厢:Chengxiang 沙溪:Shaxi 浏河:Liuhe 浮桥:Fuqiao 璜泾:Huangjing 双凤:Shuangfeng "
        "港区:Port_Area 科教新城:Science_and_Education_Town 陆渡:Ludu 新毛:Xinmao"
    )),
    SubBranchSpec("PJ", Place("平江", "Pingjiang"), places(
        "平江路:Pingjiang_Road 娄门:Loumen 齐门:Qimen 相门:Xiangmen 拙政园:Zhuozhengyuan "
        "北塔:Beita 东北街:Dongbei_Street 白塔:Baita 苏锦:Sujin 平门:Pingmen"
    )),
    SubBranchSpec("JC", Place("金阊", "Jinchang"), places(
        "金门:Jinmen 阊门:Changmen 山塘:Shantang 虎丘:Huqiu 白洋湾:Baiyangwan "
        "彩香:Caixiang 三元:Sanyuan 西园:Xiyuan 石路北:North_Shilu 留园北:North_Liuyuan"
    )),
)  # fmt: skip


@dataclass(frozen=True)
class BranchSpec:
    """A city branch of the province and the districts where its sub-branches are."""

    code: str
    city: Place
    districts: tuple[Place, ...]


# The province's other city branches (Jiangsu), for the province scale.
PROVINCE_BRANCHES: tuple[BranchSpec, ...] = (
    BranchSpec("NJ", Place("南京", "Nanjing"), places(
        "玄武:Xuanwu 秦淮:Qinhuai 建邺:Jianye 鼓楼:Gulou 浦口:Pukou 栖霞:Qixia "
        "雨花台:Yuhuatai 江宁:Jiangning 六合:Luhe 溧水:Lishui 高淳:Gaochun"
    )),
    BranchSpec("WX", Place("无锡", "Wuxi"), places(
        "梁溪:Liangxi 锡山:Xishan 惠山:Huishan 滨湖:Binhu 新吴:Xinwu 江阴:Jiangyin "
        "宜兴:Yixing"
    )),
    BranchSpec("CZ", Place("常州", "Changzhou"), places(
        "天宁:Tianning 钟楼:Zhonglou 新北:Xinbei 武进:Wujin 金坛:Jintan 溧阳:Liyang"
    )),
    BranchSpec("NT", Place("南通", "Nantong"), places(
        "崇川:Chongchuan 通州:Tongzhou 海门:Haimen 如东:Rudong 启东:Qidong 如皋:Rugao "
        "海安:Hai'an"
    )),
    BranchSpec("YZ", Place("扬州", "Yangzhou"), places(
        "广陵:Guangling 邗江:Hanjiang 江都:Jiangdu 宝应:Baoying 仪征:Yizheng 高邮:Gaoyou"
    )),
    BranchSpec("ZJ", Place("镇江", "Zhenjiang"), places(
        "京口:Jingkou 润州:Runzhou 丹徒:Dantu 丹阳:Danyang 扬中:Yangzhong 句容:Jurong"
    )),
    BranchSpec("TZ", Place("泰州", "Taizhou"), places(
        "海陵:Hailing 高港:Gaogang 姜堰:Jiangyan 兴化:Xinghua 靖江:Jingjiang 泰兴:Taixing"
    )),
    BranchSpec("XZ", Place("徐州", "Xuzhou"), places(
        "鼓楼:Gulou 云龙:Yunlong 贾汪:Jiawang 泉山:Quanshan 铜山:Tongshan 丰县:Fengxian "
        "沛县:Peixian 睢宁:Suining 新沂:Xinyi 邳州:Pizhou"
    )),
    BranchSpec("YC", Place("盐城", "Yancheng"), places(
        "亭湖:Tinghu 盐都:Yandu 大丰:Dafeng 响水:Xiangshui 滨海:Binhai 阜宁:Funing "
        "射阳:Sheyang 建湖:Jianhu 东台:Dongtai"
    )),
    BranchSpec("HA", Place("淮安", "Huai'an"), places(
        "清江浦:Qingjiangpu 淮安区:Huai'an_District 淮阴:Huaiyin 洪泽:Hongze 涟水:Lianshui "
        "盱眙:Xuyi 金湖:Jinhu"
    )),
    BranchSpec("LYG", Place("连云港", "Lianyungang"), places(
        "海州:Haizhou 连云:Lianyun 赣榆:Ganyu 东海:Donghai 灌云:Guanyun 灌南:Guannan"
    )),
    BranchSpec("SQ", Place("宿迁", "Suqian"), places(
        "宿城:Sucheng 宿豫:Suyu 沭阳:Shuyang 泗阳:Siyang 泗洪:Sihong"
    )),
)  # fmt: skip

# Streets and quarters found in every city, for the outlets of the province's sub-branches.
TOWN_PLACES: tuple[Place, ...] = places(
    "人民路:Renmin_Road 中山路:Zhongshan_Road 解放路:Jiefang_Road 建设路:Jianshe_Road "
    "新华路:Xinhua_Road 和平路:Heping_Road 胜利路:Shengli_Road 青年路:Qingnian_Road "
    "文化路:Wenhua_Road 长江路:Changjiang_Road 黄河路:Huanghe_Road 世纪大道:Shiji_Avenue "
    "开发区:Development_Zone 高铁站:Railway_Station 城东:Chengdong 城西:Chengxi "
    "城南:Chengnan 城北:Chengbei 新城:Xincheng 滨江:Binjiang 湖滨:Hubin 科技园:Science_Park "
    "大学城:University_Town 工业园:Industrial_Estate 商贸城:Trade_City 金融街:Finance_Street "
    "东门:Dongmen 西门:Ximen 南门:Nanmen 北门:Beimen 花园:Huayuan 锦绣:Jinxiu "
    "阳光:Yangguang 翠湖:Cuihu 金桥:Jinqiao 东方:Dongfang 星湖:Xinghu 凤凰:Fenghuang "
    "桃园:Taoyuan 龙湖:Longhu 运河:Yunhe 港区:Port_Area 新区:Xinqu 站前:Zhanqian 银河:Yinhe"
)

# How an outlet other than the business department is called: (Chinese suffix, English
# pattern, Spanish pattern), the patterns taking the place's pinyin.
OUTLET_STYLES: tuple[tuple[str, str, str], ...] = (
    ("网点", "{} Outlet", "Oficina de {}"),
    ("网点", "{} Outlet", "Oficina de {}"),
    ("网点", "{} Outlet", "Oficina de {}"),
    ("支行营业室", "{} Sub-branch Office", "Oficina de la sucursal de {}"),
    ("分理处", "{} Office", "Agencia de {}"),
)


@dataclass(frozen=True)
class DepartmentSpec:
    """A department of a sub-branch (or of a branch or the head office)."""

    key: str
    zh: str
    en: str
    es: str
    staff_post: str  # the post of its members other than the head


CORPORATE = DepartmentSpec(
    "corporate", "公司业务部", "Corporate Banking Department",
    "Departamento de Banca Corporativa", "account_manager",
)  # fmt: skip
PERSONAL = DepartmentSpec(
    "personal", "个人金融部", "Personal Finance Department",
    "Departamento de Finanzas Personales", "financial_manager",
)  # fmt: skip
OPERATIONS = DepartmentSpec(
    "operations", "运营管理部", "Operations Management Department",
    "Departamento de Gestión de Operaciones", "inspector",
)  # fmt: skip
GENERAL = DepartmentSpec(
    "general", "综合管理部", "General Management Department",
    "Departamento de Gestión General", "administrator",
)  # fmt: skip
AUDIT = DepartmentSpec(
    "audit", "审计部", "Audit Department", "Departamento de Auditoría", "auditor"
)

# In code order: a department's code is its unit's code and "-D01", "-D02"...
SUBBRANCH_DEPARTMENTS = (CORPORATE, PERSONAL, OPERATIONS, GENERAL)
BRANCH_DEPARTMENTS = (CORPORATE, PERSONAL, OPERATIONS)
HEAD_OFFICE_DEPARTMENTS = (CORPORATE, PERSONAL, OPERATIONS, AUDIT)

# Duties on the emergency contact list of every outlet and sub-branch.
DUTY_COMPLAINT = "客户投诉"
DUTY_EQUIPMENT = "设备故障"
DUTY_INCIDENT = "突发事件"

SERVICE_GROUP_NAME = "服务领导小组"
SERVICE_GROUP_DUTIES = (
    "统筹全行服务管理工作，制定客户满意度提升整改方案并督促落实；"
    "每季度召开服务质量分析会，分析满意度、投诉及服务差错情况；"
    "将服务指标纳入各部门、网点平衡计分卡考核，定期向上级行报告整改进展。"
)
COMPLAINT_GROUP_NAME = "投诉应急小组"
COMPLAINT_GROUP_DUTIES = (
    "建立投诉应急联络机制，实行A/B角制度；受理并快速处置客户投诉，确保投诉处理率100%；"
    "做好预投诉化解工作，对重大投诉和突发事件及时报告、妥善处置并跟踪回访。"
)

# Written responsibilities of each seat in the two groups.
SERVICE_RESPONSIBILITIES = {
    "leader": (
        "全面负责本行服务工作，主持服务领导小组和季度服务质量分析会，"
        "对客户满意度提升负第一责任。"
    ),
    "deputy": "协助组长开展服务管理，组织服务检查、考核与通报，督促整改措施按期落实。",
    "corporate": "负责对公客户分类走访与需求收集，推动账单投递、网银体验、贷款审批等问题整改。",
    "personal": "负责高端个人客户分层维护，督导理财经理提高联系频率和专业能力，落实贵宾增值服务。",
    "operations": "负责柜面服务规范与业务流程优化，管控排队等候时间，组织网点服务及7S检查。",
    "general": "负责服务设施报修与维护、环境卫生外包管理及服务后勤保障。",
    "outlet": "负责{unit}服务管理，落实服务规范和大堂迎候识别，处理本网点投诉及预投诉。",
}  # fmt: skip
COMPLAINT_RESPONSIBILITIES = {
    "leader": "统一指挥投诉及突发事件处置，审定重大投诉处理方案，对投诉处理结果负总责。",
    "deputy": "组织投诉受理、分派与跟踪，督促限时办结，汇总分析投诉台账并按时上报。",
    "corporate": "负责对公客户投诉的调查、沟通与解决，及时反馈处理结果。",
    "personal": "负责个人客户及贵宾客户投诉的调查、安抚与回访。",
    "operations": "负责柜面业务差错类投诉核查，落实业务流程整改。",
    "general": "负责设备故障、环境设施类投诉的处置与报修跟踪。",
    "outlet": "作为{unit}投诉第一责任人，现场化解客户不满，按A/B角及时上报并处置投诉。",
}  # fmt: skip
LOBBY_RESPONSIBILITY = "负责厅堂客户不满情绪的识别与现场化解（预投诉），及时报告网点负责人。"
