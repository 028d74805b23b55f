"""Deterministic news copy in English, Chinese and Russian for the simulated outlets.

Each story is composed from hand-written sentence templates; the slots (place, official,
organisation, topic, numbers) are drawn from a ``random.Random`` seeded by the caller, so
the same seed always gives the same story and different seeds give different bodies
(crawl state de-duplicates by content digest, so bodies must differ).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Story", "compose"]


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]
    keywords: tuple[str, ...]
    place: str


@dataclass(frozen=True)
class _Bank:
    places: tuple[str, ...]
    people: tuple[str, ...]
    orgs: tuple[str, ...]
    topics: tuple[str, ...]
    headlines: tuple[str, ...]
    sentences: tuple[str, ...]
    joiner: str


_EN = _Bank(
    places=("Beijing", "Brussels", "Moscow", "New Delhi", "Geneva", "Vienna", "Jakarta", "Ankara",
            "Astana", "Nairobi"),
    people=("Foreign Ministry spokesperson Lin Hao", "Deputy Foreign Minister Pavel Orlov",
            "Secretary General Jonas Viken", "Commerce Minister Anita Rao",
            "special envoy Marta Kessler", "Defence Minister Ilya Serov"),
    orgs=("NATO", "the European Union", "the United Nations", "ASEAN",
          "the World Trade Organization", "the Shanghai Cooperation Organisation"),
    topics=("missile defence", "grain exports", "a cross-border rail link", "climate finance",
            "arms control", "energy security", "port investment", "debt relief"),
    headlines=(
        "{org} and {place} resume talks on {topic}",
        "{place} hosts {n}-nation meeting on {topic}",
        "Officials in {place} signal progress on {topic} after {n} hours of talks",
        "{org} urged in {place} to keep dialogue open on {topic}",
        "New proposal on {topic} tabled in {place}",
        "{place} talks on {topic} end without deal, next round set",
    ),
    sentences=(
        "Officials said the talks in {place} on {topic} lasted more than {n} hours and ended "
        "with an agreement to meet again before the end of the year.",
        "{person} told reporters that the parties had narrowed their differences but that "
        "\"serious questions remain on verification and timing\".",
        "Delegations from {n} countries attended the session, according to a statement "
        "released after the meeting.",
        "{org} has said it wants a written framework on {topic} that both sides can review "
        "every {n2} months.",
        "Analysts in {place} said the outcome was modest but noted that the two sides had "
        "not met at this level for {n2} years.",
        "The statement called for \"mutual respect and accommodation of each other's "
        "legitimate concerns\" and for a timetable agreed by all parties.",
        "Trade between the partners rose {n2} percent in the first ten months of the year, "
        "customs data showed, with machinery and farm goods leading the increase.",
        "{person} said the government would publish a full account of the talks once its "
        "partners had been briefed.",
        "Critics argued that the plan on {topic} lacked funding and that {n} billion dollars "
        "pledged last year had not yet been disbursed.",
        "The next round is expected to take place in {place2}, diplomats familiar with the "
        "preparations said, speaking on condition of anonymity.",
        "Earlier this week {org} said it was ready to consider confidence-building measures, "
        "including joint inspections and a hotline between military staffs.",
        "Local media in {place} reported that security around the venue had been tightened "
        "and several roads closed for the duration of the meeting.",
        "Observers said the tone of the discussion had improved compared with the previous "
        "round, which ended after {n2} hours with no joint statement.",
        "Business groups welcomed the talks and urged negotiators to settle rules on "
        "{topic} before the winter, when demand usually peaks.",
        "A working group of {n} experts will draft technical proposals and report back "
        "within {n2} weeks, the organisers said.",
        "{person} stressed that any agreement on {topic} must be \"balanced, verifiable and "
        "in line with international law\".",
    ),
    joiner=" ",
)

_ZH = _Bank(
    places=("北京", "上海", "布鲁塞尔", "莫斯科", "日内瓦", "雅加达", "阿斯塔纳", "内罗毕"),
    people=("外交部发言人林浩", "商务部副部长王建平", "国家发展改革委主任陈立新", "特使赵明远",
            "朱镕基研究中心主任刘喆", "驻欧盟使团团长张晓堃"),
    orgs=("北约", "欧盟", "联合国", "东盟", "世界贸易组织", "上海合作组织"),
    topics=("导弹防御", "粮食出口", "跨境铁路", "气候融资", "军备控制", "能源安全", "港口投资",
            "减债合作"),
    headlines=(
        "{org}与有关各方在{place}恢复{topic}磋商",
        "{place}举办{n}国{topic}会议",
        "{place}会谈就{topic}取得阶段性进展",
        "{person}在{place}表示：希望各方就{topic}保持对话",
        "{topic}新方案在{place}提出",
        "{place}{topic}会谈结束 下一轮会谈时间确定",
    ),
    sentences=(
        "据介绍，在{place}举行的{topic}会谈持续了{n}个多小时，各方同意年底前再次会晤。",
        "{person}在例行记者会上表示，各方分歧有所缩小，但在核查和时间表等问题上仍有不少工作要做。",
        "来自{n}个国家的代表团出席了会议，会后发表了联合新闻公报。",
        "{org}表示，希望就{topic}达成书面框架，并每{n2}个月进行一次评估。",
        "{place}的分析人士认为，此次会谈成果有限，但双方已有{n2}年未在这一级别会面，意义不容忽视。",
        "公报呼吁各方相互尊重、照顾彼此合理关切，并尽快商定各方都能接受的时间表。",
        "海关数据显示，今年前十个月双边贸易额同比增长{n2}%，机械设备和农产品增幅居前。",
        "{person}说，在向合作伙伴通报情况后，政府将公布会谈的详细情况。",
        "也有观点认为，{topic}方案资金缺口较大，去年承诺的{n}亿美元至今尚未到位。",
        "据熟悉筹备情况的外交人士透露，下一轮会谈预计将在{place2}举行。",
        "本周早些时候，{org}表示愿意考虑建立信任措施，包括联合核查和军方热线等。",
        "据{place}当地媒体报道，会场周边安保明显加强，部分道路在会议期间实行交通管制。",
        "观察人士指出，与上一轮会谈相比，此次讨论气氛有所改善，上一轮会谈持续{n2}个小时未能发表联合声明。",
        "工商界人士对会谈表示欢迎，希望谈判各方在冬季用能高峰到来前就{topic}规则达成一致。",
        "主办方介绍，一个由{n}名专家组成的工作组将起草技术方案，并在{n2}周内提交报告。",
        "{person}强调，任何关于{topic}的协议都应当平衡、可核查，并符合国际法。",
    ),
    joiner="",
)

_RU = _Bank(
    places=("Москве", "Брюсселе", "Женеве", "Вене", "Пекине", "Астане", "Анкаре", "Минске"),
    people=("официальный представитель МИД Анна Ковалёва", "замминистра иностранных дел Павел Орлов",
            "генсек организации Йонас Викен", "министр экономического развития Игорь Седов",
            "спецпредставитель Марта Кесслер", "пресс-секретарь Дмитрий Лебедев"),
    orgs=("НАТО", "Евросоюз", "ООН", "ОДКБ", "ВТО", "ШОС"),
    topics=("противоракетной обороне", "экспорту зерна", "железнодорожному коридору",
            "климатическому финансированию", "контролю над вооружениями",
            "энергетической безопасности", "инвестициям в порты", "списанию долгов"),
    headlines=(
        "{org} и партнёры возобновили переговоры по {topic}",
        "В {place} прошла встреча {n} стран по {topic}",
        "Переговоры по {topic} в {place} завершились без итогового документа",
        "В {place} {org} призвали сохранить диалог по {topic}",
        "В {place} представили новое предложение по {topic}",
        "Стороны договорились в {place} о новом раунде консультаций по {topic}",
    ),
    sentences=(
        "Консультации по {topic} в {place} продолжались более {n} часов, стороны договорились "
        "встретиться снова до конца года.",
        "Как заявил журналистам {person}, разногласия удалось сократить, однако вопросы "
        "проверки и сроков остаются открытыми.",
        "Во встрече приняли участие делегации {n} государств, говорится в сообщении, "
        "опубликованном по её итогам.",
        "{org} добивается письменных договорённостей по {topic}, которые стороны могли бы "
        "пересматривать раз в {n2} месяцев.",
        "Эксперты в {place} назвали итоги скромными, но отметили, что на таком уровне стороны "
        "не встречались {n2} лет.",
        "В заявлении содержится призыв к взаимному уважению и учёту законных интересов "
        "друг друга, а также к согласованию графика.",
        "По данным таможни, за десять месяцев товарооборот вырос на {n2}%, больше всего "
        "увеличились поставки техники и продовольствия.",
        "По словам {person}, полный отчёт о переговорах будет опубликован после консультаций "
        "с партнёрами.",
        "Критики указывают, что план по {topic} не обеспечен финансированием, а обещанные в "
        "прошлом году {n} млрд долларов так и не поступили.",
        "Следующий раунд, по данным дипломатических источников, может пройти в {place2}.",
        "Ранее на этой неделе {org} заявили о готовности обсудить меры доверия, включая "
        "совместные инспекции и горячую линию между военными.",
        "Местные СМИ сообщили, что на время встречи в {place} были усилены меры "
        "безопасности и перекрыты несколько улиц.",
        "Наблюдатели отмечают, что тон обсуждения стал спокойнее по сравнению с предыдущим "
        "раундом, который длился {n2} часов и завершился без совместного заявления.",
        "Деловые круги приветствовали переговоры и призвали согласовать правила по {topic} "
        "до наступления зимы.",
        "Рабочая группа из {n} экспертов подготовит технические предложения и представит их "
        "в течение {n2} недель, сообщили организаторы.",
        "Любая договорённость по {topic} должна быть сбалансированной и проверяемой, "
        "подчеркнул {person}.",
    ),
    joiner=" ",
)

_BANKS = {"en": _EN, "zh": _ZH, "ru": _RU}


def compose(language: str, seed: str) -> Story:
    """A story in ``language`` ('en', 'zh', 'ru') of 4-12 paragraphs, fully determined by
    ``seed``."""
    bank = _BANKS[language]
    rng = random.Random(seed)
    place, place2 = rng.sample(bank.places, 2)
    slots = {
        "place": place,
        "place2": place2,
        "person": rng.choice(bank.people),
        "org": rng.choice(bank.orgs),
        "topic": rng.choice(bank.topics),
    }
    title = rng.choice(bank.headlines).format(n=rng.randint(3, 40), **slots)
    count = rng.randint(4, 12)
    order = rng.sample(range(len(bank.sentences)), len(bank.sentences))
    # Sentence k goes to paragraph k % count, so no sentence repeats within a story.
    grouped: list[list[str]] = [[] for _ in range(count)]
    for k, j in enumerate(order[: max(count, min(len(order), 2 * count))]):
        sentence = bank.sentences[j].format(n=rng.randint(3, 90), n2=rng.randint(2, 15), **slots)
        grouped[k % count].append(_capitalised(sentence))
    body = [_capitalised(bank.joiner.join(group)) for group in grouped]
    return Story(_capitalised(title), tuple(body), (slots["org"], slots["topic"]), place)


def _capitalised(text: str) -> str:
    # Slots like "the European Union" can open a sentence.
    return text[:1].upper() + text[1:]
