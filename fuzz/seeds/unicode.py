ｅval(1)
𝑜𝑝𝑒𝑛(2)
x.＿＿class＿＿
