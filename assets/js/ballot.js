// Knapsack ballots: keep the running total live as choices change. Without
// JavaScript the "Update total" button asks the server for the same figures.
const box = document.getElementById("running-total");
const script = document.querySelector("script[data-template]");
if (box && script) {
  const template = script.dataset.template;
  const budget = Number(box.dataset.budget);
  const lang = document.documentElement.lang;
  let money;
  try {
    money = new Intl.NumberFormat(lang === "tw" ? "en-GB" : lang, { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
  } catch (e) {
    money = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
  }
  const update = () => {
    let cost = 0;
    document.querySelectorAll("input.pb-choice:checked").forEach((box) => { cost += Number(box.dataset.cost); });
    box.textContent = template.replace("%(cost)s", money.format(cost)).replace("%(left)s", money.format(budget - cost));
  };
  document.querySelectorAll("input.pb-choice").forEach((input) => input.addEventListener("change", update));
}
