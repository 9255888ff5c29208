// Knapsack ballots: keep the running total live as choices change. Without
// JavaScript the "Update total" button asks the server for the same figures.
// Over the budget, the total says so plainly, in the GOV.UK warning style the
// server uses too. Amounts are written by money.js from the locale pattern the server
// renders into data-money, so they read exactly as the server's.
import { formatMoney } from "./money.js";

const box = document.getElementById("running-total");
const script = document.querySelector("script[data-template]");
if (box && script) {
  const { template, overTemplate, warning } = script.dataset;
  const budget = Number(box.dataset.budget);
  const spec = JSON.parse(script.dataset.money);
  const money = { format: (amount) => formatMoney(amount, spec) };
  const element = (tag, className, text) => {
    const made = document.createElement(tag);
    made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  };
  const update = () => {
    let cost = 0;
    document.querySelectorAll("input.pb-choice:checked").forEach((input) => { cost += Number(input.dataset.cost); });
    const over = cost > budget;
    box.classList.toggle("pb-running-total--over", over);
    if (!over) {
      box.textContent = template.replace("%(cost)s", money.format(cost)).replace("%(left)s", money.format(budget - cost));
      return;
    }
    const text = overTemplate.replace("%(cost)s", money.format(cost)).replace("%(over)s", money.format(cost - budget));
    const wrapper = element("div", "govuk-warning-text");
    const icon = element("span", "govuk-warning-text__icon", "!");
    icon.setAttribute("aria-hidden", "true");
    const strong = element("strong", "govuk-warning-text__text");
    strong.append(element("span", "govuk-visually-hidden", warning), " " + text);
    wrapper.append(icon, strong);
    box.replaceChildren(wrapper);
  };
  document.querySelectorAll("input.pb-choice").forEach((input) => input.addEventListener("change", update));
}
